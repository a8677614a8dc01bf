"""The sliding-window budget's line is stored run-length encoded (core.ratelimit.encode_owed): lossless, and short
for a burst's long run of one-item rounds."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from integrations.core.ratelimit import decode_owed, encode_owed


def test_the_documented_example():
    assert encode_owed({7: 1, 8: 1, 9: 2, 11: 1}) == "7:1*2,2*1,0*1,1*1"
    assert decode_owed("7:1*2,2*1,0*1,1*1") == {7: 1, 8: 1, 9: 2, 11: 1}


def test_nothing_owed_is_an_empty_string_and_rounds_at_zero_are_dropped():
    assert encode_owed({}) == encode_owed({4: 0}) == ""
    assert decode_owed("") == {}


def test_a_burst_of_one_item_rounds_is_one_run():
    assert encode_owed(dict.fromkeys(range(100, 2_100), 1)) == "100:1*2000"


# Small rounds and counts, so runs form and gaps appear; too_slow is off because a 2-core CI box running the
# suite on two workers can take longer than hypothesis allows to draw even these.
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=3), max_size=60))
def test_decoding_gives_back_every_round_that_holds_an_item(owed):
    assert decode_owed(encode_owed(owed)) == {round_: count for round_, count in owed.items() if count}
