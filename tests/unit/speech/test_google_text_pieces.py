from parley_speech.google.text_pieces import MAX_PIECE_CHARS, text_pieces


def test_text_is_cut_after_each_sentence() -> None:
    assert text_pieces(" Hi there. Is it booked?  Yes!\nGood ") == [
        "Hi there.",
        "Is it booked?",
        "Yes!",
        "Good",
    ]
    assert text_pieces("   ") == []


def test_a_sentence_too_long_for_one_request_is_cut_between_words() -> None:
    pieces = text_pieces("word " * 1000)
    assert len(pieces) > 1 and all(len(p) <= MAX_PIECE_CHARS for p in pieces)
    assert " ".join(pieces).split() == ["word"] * 1000
