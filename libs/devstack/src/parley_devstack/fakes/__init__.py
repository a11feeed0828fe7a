"""Local stand-ins for cloud providers, speaking their real wire protocols on loopback so
the vendors' own SDKs can be tested against them offline."""
