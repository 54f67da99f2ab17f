"""Properties over arbitrary text: whatever a product name holds, every line fits the paper and
prints either exactly (in the printer's charset) or as an image, never with a '?'."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from receipts_escpos_reader import read

from receipts import document as rd
from receipts.escpos import encode_line, render_escpos
from receipts.layout import Text, clean, layout, text_width, wrap
from receipts.profiles import get_profile
from receipts.samples import SAMPLE_STORE, sample_sale_payload

# Letters, digits, punctuation and symbols from every plane, CJK and its extensions weighted in
names = st.text(
    alphabet=st.one_of(
        st.characters(categories=("L", "N", "P", "S", "Zs")),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),
        st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),
        st.sampled_from("¥￥·×—…ＡＢ１２　"),
    ),
    min_size=1,
    max_size=80,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=names, width=st.sampled_from([16, 24, 32, 48]))
def test_wrap_fits_and_keeps_every_character(name: str, width: int) -> None:
    lines = wrap(name, width)
    assert all(text_width(x) <= width for x in lines)
    assert "".join(lines).replace(" ", "") == clean(name).replace(" ", "")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=names, profile_name=st.sampled_from(["generic-58-gbk", "big5-80", "generic-80-gb18030"])
)
def test_any_name_prints_exactly_or_as_an_image(name: str, profile_name: str) -> None:
    profile = get_profile(profile_name)
    payload = sample_sale_payload(1)
    payload["lines"][0]["name"] = name
    doc = rd.from_sale_payload(payload, store=SAMPLE_STORE)
    blocks = [b for b in layout(doc, profile.paper) if isinstance(b, Text)]
    printed = read(render_escpos(doc, profile), profile.encoding)
    sent_as_text = []
    for b in blocks:
        assert text_width(b.text) <= (profile.columns // 2 if b.big else profile.columns)
        text = b.text.lstrip(" ") if b.centered else b.text
        data = encode_line(text, profile.encoding)
        if data is not None:
            sent_as_text.append(data.decode(profile.encoding))
    assert [x for x in printed.lines if x] == [x for x in sent_as_text if x]
    if "?" not in name:
        assert "?" not in "".join(printed.lines)
