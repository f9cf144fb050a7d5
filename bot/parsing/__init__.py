"""Free-text request parser (English and Korean): ``parse(text, vocabulary) -> ParseResult``.

Used by the Slack listeners (through ``bot.services.reading``, which holds the composed vocabulary)
and by ``chatops parse`` (``bot.parsing.cli``). Pure, offline and fast (precompiled patterns; at
most the first 20 KB of a message is read). Submodules: ``text`` (Slack clean-up, language),
``vocabulary`` (the signals, composed from ``core_signals`` and each feature's), ``intents`` (with
``evidence``: object/action/state signal families, and ``morph``: Korean stems), ``entities``,
``aws_errors`` (``parse_aws_error``), ``image_pull`` (``classify_pull_error``, ``registry_of``),
``cli``.
"""

from bot.parsing.result import ParseResult, language_of, parse
from bot.parsing.vocabulary import Vocabulary

__all__ = ["ParseResult", "Vocabulary", "language_of", "parse"]
