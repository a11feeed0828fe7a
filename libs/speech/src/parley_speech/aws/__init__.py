"""Amazon Transcribe streaming as a speech-recognition provider, through Amazon's
``amazon-transcribe`` SDK (HTTP/2 event streams over awscrt). Settings come from the
standard ``AWS_*`` variables (see docs/speech-providers.md)."""

from parley_speech.aws.errors import PROVIDER
from parley_speech.aws.recognizer import AwsTranscribeRecognizer
from parley_speech.aws.settings import AwsTranscribeSettings, AwsTranscribeSettingsError

__all__ = [
    "PROVIDER",
    "AwsTranscribeRecognizer",
    "AwsTranscribeSettings",
    "AwsTranscribeSettingsError",
]
