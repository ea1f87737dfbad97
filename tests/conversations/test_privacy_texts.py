from __future__ import annotations

from conversations.i18n import messages, placeholders

PRIVACY = ("pseudonym", "mydata.", "fact.", "value.", "forget.", "erase.", "export.", "privacy.")


def test_privacy_texts_have_the_same_keys_and_placeholders_in_both_languages() -> None:
    sv, en = messages("sv"), messages("en")
    keys = {key for key in sv if key.startswith(PRIVACY)}
    assert keys and keys == {key for key in en if key.startswith(PRIVACY)}
    for key in keys:
        assert placeholders(str(sv[key])) == placeholders(str(en[key])), key
