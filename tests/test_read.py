"""Readers: the example article, every format, and the bad input a user meets."""
from __future__ import annotations

import codecs
import io
import json
import sys
from pathlib import Path

import pytest

from newsgraph.read import (ReadError, expand_paths, read_feed, read_html, read_path,
                            read_stdin, read_text, segment)

ARTICLE = ("date 2025-03-10 Police detain protesters in the capital\n\n"
           "Police detain protesters in the capital\n\n"
           "Police detained dozens of protesters on Monday outside the parliament, witnesses "
           "said, after a rally against a new media law drew several thousand people.\n\n"
           "The interior ministry said officers had acted within the law.\n")


def one(path, **kw):
    docs = list(read_path(path, **kw))
    assert len(docs) == 1
    return docs[0]


def error_of(path, **kw) -> ReadError:
    with pytest.raises(ReadError) as info:
        list(read_path(path, **kw))
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return info.value


def assert_sections_sound(doc):
    """Sections lie inside the text, in order, without overlap or surrounding space."""
    last_end = 0
    for s in doc.sections:
        assert last_end <= s.start < s.end <= len(doc.text)
        assert doc.text[s.start:s.end] == doc.text[s.start:s.end].strip()
        last_end = s.end
    for c in doc.credits:
        assert doc.text[c.span.start:c.span.end] == c.span.text


# --- the example article ---------------------------------------------------------------

def test_example_metadata(example_path):
    doc = one(example_path)
    assert doc.published == "2025-03-10"
    assert doc.title == "Russia may work with US and Israel to build Alawite state in Syria"
    assert doc.language == "en"
    assert not doc.text.startswith((" ", "date", "\n"))
    assert doc.source == str(example_path)
    assert doc.warnings == []


def test_example_credit(example_path):
    doc = one(example_path)
    assert len(doc.credits) == 1
    credit = doc.credits[0]
    assert credit.author == "Sebastian Wallroth"
    assert credit.license_url == "https://creativecommons.org/licenses/by/2.0/"
    assert credit.license == "CC BY 2.0"
    line = credit.span.text
    assert line.startswith("Photo:") and "\n" not in line
    assert doc.text[credit.span.start:credit.span.end] == line


def test_example_sections(example_path):
    doc = one(example_path)
    assert_sections_sound(doc)
    kinds = [s.kind for s in doc.sections]
    texts = [doc.text[s.start:s.end] for s in doc.sections]
    assert kinds[:4] == ["headline", "lede", "credit", "heading"]
    assert texts[0].startswith("Moscow gains opportunity")
    details = texts.index("Details")
    assert kinds[details] == "heading"
    assert kinds[details + 1:] and set(kinds[details + 1:]) == {"background"}
    assert "background" not in kinds[:details]
    assert kinds.count("heading") >= 5
    # every paragraph is one section
    assert len(doc.sections) == len([p for p in doc.text.split("\n\n") if p.strip()])


# --- dated and plain text --------------------------------------------------------------

def test_dated_text_tolerates_bom_space_and_crlf(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(codecs.BOM_UTF8 + ("  " + ARTICLE).replace("\n", "\r\n").encode())
    doc = one(path)
    assert doc.published == "2025-03-10"
    assert doc.title == "Police detain protesters in the capital"
    assert "\r" not in doc.text and doc.text.startswith("Police detain protesters")
    assert [s.kind for s in doc.sections] == ["headline", "lede", "body"]


@pytest.mark.parametrize("bad", ["2025-02-30", "2025-13-01"])
def test_impossible_date_is_an_error(tmp_path, bad):
    path = tmp_path / "bad.txt"
    path.write_text(f"date {bad} A title\n\nSome text.\n", encoding="utf-8")
    err = error_of(path)
    assert str(err) == f"{path}:1: impossible date {bad}"


def test_plain_text_takes_published_or_warns(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text(ARTICLE.split("\n", 2)[2], encoding="utf-8")
    undated = one(path)
    assert undated.published is None
    assert "no publication date: pass --published" in undated.warnings
    assert undated.title == "Police detain protesters in the capital"
    dated = one(path, published="2025-03-11")
    assert dated.published == "2025-03-11" and dated.warnings == []


def test_date_line_without_a_title_takes_the_headline():
    doc = read_text("date 2024-05-01\n\nTroops leave the border town\n\nThe last troops left on Tuesday.\n")
    assert doc.published == "2024-05-01" and doc.title == "Troops leave the border town"


def test_read_text_detects_the_dated_format():
    doc = read_text(ARTICLE)
    assert doc.published == "2025-03-10"
    assert read_text("Just a line of text about a protest.", published="2024-05-01").published == "2024-05-01"


def test_french_article_gets_its_language(tmp_path):
    path = tmp_path / "fr.txt"
    path.write_text(
        "date 2025-02-14 Cessez-le-feu fragile dans l'est du Congo\n\n"
        "Un cessez-le-feu fragile était respecté jeudi autour de Goma, selon des habitants, "
        "après trois semaines de combats qui ont fait des centaines de morts. Les familles "
        "déplacées ont commencé à regagner leurs quartiers, tandis que les organisations "
        "humanitaires réclament l'ouverture de l'aéroport pour acheminer des médicaments.\n",
        encoding="utf-8")
    assert one(path).language == "fr"


# --- encodings and bad files -----------------------------------------------------------

@pytest.mark.parametrize("codec,bom", [("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
                                       ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-32-le", codecs.BOM_UTF32_LE),
                                       ("utf-16-le", b""), ("utf-16-be", b"")])
def test_unicode_encodings_with_and_without_bom(tmp_path, codec, bom):
    path = tmp_path / "u.txt"
    path.write_bytes(bom + ARTICLE.replace("capital", "capital’s centre").encode(codec))
    doc = one(path)
    assert doc.published == "2025-03-10"
    assert "capital’s centre" in doc.text and "\x00" not in doc.text
    if not bom and codec != "utf-8":
        assert any("no byte-order mark" in w for w in doc.warnings)


def test_latin1_is_decoded_with_a_warning(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Café owners in Montréal protested on Monday – “enough”.\n".encode("cp1252"))
    doc = one(path, published="2024-06-03")
    assert doc.text.startswith("Café owners in Montréal") and "–" in doc.text
    assert "decoded as cp1252" in doc.warnings


@pytest.mark.parametrize("content", [b"", b"   \n\n\t  \n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert error_of(path).reason == "empty file"


@pytest.mark.parametrize("name,content", [
    ("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 20),
    ("archive.txt", bytes(range(256)) * 8),
    ("noise.txt", b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 50 + b"text"),
])
def test_binary_file(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    assert error_of(path).reason == "binary file, not text"


def test_file_over_the_size_limit_is_refused_unread(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:      # sparse: no 50 MB written to disk
        fh.truncate(50_000_000)
    err = error_of(path)
    assert str(err) == (f"{path}: file is 50.0 MB, over the 20 MB limit "
                        "(set NEWSGRAPH_MAX_BYTES to raise it)")


def test_size_limit_is_a_setting(tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    monkeypatch.setenv("NEWSGRAPH_MAX_BYTES", "100")
    assert "over the 0.0001 MB limit" in str(error_of(path))
    monkeypatch.setenv("NEWSGRAPH_MAX_BYTES", "100000")
    assert one(path).published == "2025-03-10"


def test_missing_file(tmp_path):
    assert "No such file" in error_of(tmp_path / "nope.txt").reason


# --- HTML ------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html lang="en"><head><title>Flooding displaces thousands | Delta Times</title>
<meta name="author" content="Maria Costa"><meta property="article:published_time" content="2024-09-18T07:00:00Z">
<meta property="og:site_name" content="Delta Times"></head><body><nav><a href="/">Home</a></nav>
<article><h1>Flooding displaces thousands</h1>
<p>Floodwaters forced around 4,000 people from their homes in the river delta on Tuesday, officials said, as rain continued for a third day.</p>
<figure><img src="/f.jpg"><figcaption>A family wades through a flooded street. Photo: Tomas Reyes/Delta Times</figcaption></figure>
<h2>Shelters fill up</h2>
<p>Schools were turned into shelters and the army sent boats to villages that could no longer be reached by road, according to the regional governor.</p>
<p>Forecasters expect the rain to ease by the weekend, but river levels will keep rising for several days.</p>
</article><footer>Contact us</footer></body></html>"""


def test_html_metadata_sections_and_caption_credit(tmp_path):
    path = tmp_path / "flood.html"
    path.write_text(PAGE, encoding="utf-8")
    doc = one(path)
    assert doc.title == "Flooding displaces thousands"
    assert doc.published == "2024-09-18"
    assert doc.author == "Maria Costa"
    assert doc.meta["sitename"] == "Delta Times"
    assert_sections_sound(doc)
    by_kind = {}
    for s in doc.sections:
        by_kind.setdefault(s.kind, []).append(doc.text[s.start:s.end])
    assert by_kind["headline"] == ["Flooding displaces thousands"]
    assert by_kind["heading"] == ["Shelters fill up"]
    assert by_kind["caption"][0].startswith("A family wades")
    assert by_kind["lede"][0].startswith("Floodwaters forced")
    assert "Home" not in doc.text and "Contact us" not in doc.text
    assert [c.author for c in doc.credits] == ["Tomas Reyes/Delta Times"]


def test_html_without_a_date_is_not_given_one():
    doc = read_html("<html><body><article><p>On 3 January 2023 police arrested dozens of "
                    "people in the old town, residents said, after a night of unrest.</p>"
                    "<p>The mayor called for calm and promised an inquiry into the arrests.</p>"
                    "</article></body></html>", source="page.html")
    assert doc.published is None
    assert "no publication date: pass --published" in doc.warnings


def test_broken_html_still_gives_text(tmp_path):
    path = tmp_path / "broken.html"
    path.write_text("<html><body><div><p>Police detained dozens of protesters <b>outside the "
                    "parliament on Monday, witnesses said.<p>The crowd had gathered since the "
                    "early morning<div><span>", encoding="utf-8")
    doc = one(path, published="2025-01-06")
    assert "Police detained dozens of protesters outside the parliament" in doc.text
    assert "early morning" in doc.text
    assert_sections_sound(doc)


def test_html_without_text_is_a_clear_error(tmp_path):
    path = tmp_path / "script.html"
    path.write_text("<html><head><script>var x = 1;</script></head><body></body></html>")
    assert error_of(path).reason == "no article text found in the HTML"


def test_content_starting_with_a_tag_is_read_as_html(tmp_path):
    path = tmp_path / "page.dat"
    path.write_text(PAGE, encoding="utf-8")
    assert one(path).title == "Flooding displaces thousands"


# --- JSONL -----------------------------------------------------------------------------

def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = json.dumps({"text": "Rebels shelled the town on Sunday, residents said.", "title": "Town shelled",
                   "published": "2025-01-05", "url": "https://x.example/1", "source": "X News"})
GOOD2 = json.dumps({"content": "Talks resumed in the capital on Monday.", "date": "2025-01-06T10:00:00Z"})


def test_jsonl_with_a_bad_line_yields_the_good_ones(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [GOOD, '{"text": "unclosed', GOOD2])
    errors: list = []
    docs = list(read_path(path, errors=errors))
    assert [d.published for d in docs] == ["2025-01-05", "2025-01-06"]
    assert [d.source for d in docs] == [f"{path}#1", f"{path}#3"]
    assert docs[0].title == "Town shelled" and docs[0].url == "https://x.example/1"
    assert docs[0].meta["source"] == "X News"
    assert len(errors) == 1 and errors[0].line == 2
    assert str(errors[0]).startswith(f"{path}:2: bad JSON")


@pytest.mark.parametrize("line,reason", [
    ('{"title": "no text here"}', "no text"),
    ('{"text": "Some text.", "published": "2025-02-30"}', "impossible date 2025-02-30"),
    ('["not", "an", "object"]', "not a JSON object"),
])
def test_jsonl_bad_records_name_line_and_reason(tmp_path, line, reason):
    path = write_jsonl(tmp_path / "c.jsonl", [GOOD, line])
    errors: list = []
    assert len(list(read_path(path, errors=errors))) == 1
    assert len(errors) == 1 and str(errors[0]).startswith(f"{path}:2: {reason}")


def test_jsonl_errors_raise_after_the_good_records_without_a_list(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [GOOD, "{bad", GOOD2])
    seen = []
    with pytest.raises(ReadError) as info:
        for doc in read_path(path):
            seen.append(doc)
    assert len(seen) == 2
    assert str(info.value).startswith(f"{path}:2: bad JSON")


# --- feeds, stdin, paths ---------------------------------------------------------------

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>
<entry><title>Strike hits depot</title><link href="https://w.example/a"/>
<updated>2024-06-02T23:30:00-05:00</updated>
<content type="html">&lt;p&gt;A strike hit a fuel depot late on Sunday, officials said.&lt;/p&gt;&lt;p&gt;No casualties were reported.&lt;/p&gt;</content>
</entry></feed>"""


def test_atom_feed_keeps_the_publisher_local_date(tmp_path):
    path = tmp_path / "wire.atom"
    path.write_text(ATOM, encoding="utf-8")
    doc = one(path)
    assert doc.published == "2024-06-02"        # not the UTC day (June 3)
    assert doc.source == f"{path}#item-1" and doc.url == "https://w.example/a"
    assert doc.text.startswith("Strike hits depot\n\nA strike hit a fuel depot")
    assert [s.kind for s in doc.sections] == ["headline", "lede", "body"]


def test_xml_that_is_not_a_feed(tmp_path):
    path = tmp_path / "config.xml"
    path.write_text('<?xml version="1.0"?><config><a>1</a></config>')
    assert error_of(path).reason == "no feed items found"


def test_read_feed_from_bytes():
    docs = list(read_feed(ATOM.encode(), source="wire"))
    assert docs[0].source == "wire#item-1"


def test_stdin_is_sniffed(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ARTICLE.encode("utf-16"))))
    docs = list(read_stdin())
    assert docs[0].source == "-" and docs[0].published == "2025-03-10"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((GOOD + "\n" + GOOD2).encode())))
    assert [d.source for d in read_stdin()] == ["-#1", "-#2"]


def test_expand_paths(tmp_path):
    (tmp_path / "b").mkdir()
    for name in ("a.txt", "b/c.html", "b/d.jsonl", "notes.py", "README.md", ".hidden.txt"):
        (tmp_path / name).write_text("x")
    assert list(expand_paths([str(tmp_path)])) == [tmp_path / "a.txt", tmp_path / "b/c.html",
                                                   tmp_path / "b/d.jsonl"]
    assert list(expand_paths([str(tmp_path / "b" / "*.html"), "-"])) == [tmp_path / "b/c.html", "-"]
    assert list(expand_paths([str(tmp_path / "notes.py")])) == [tmp_path / "notes.py"]
    with pytest.raises(ReadError) as info:
        list(expand_paths([str(tmp_path / "missing*.txt")]))
    assert str(info.value) == f"{tmp_path / 'missing*.txt'}: no such file, folder or glob"


# --- sections and credits --------------------------------------------------------------

@pytest.mark.parametrize("line,author,licence,url", [
    ("Photo: Reuters", "Reuters", None, None),
    ("(c) AFP 2025", "AFP", None, None),
    ("Credit: Jane Doe, CC BY-SA 4.0", "Jane Doe", "CC BY-SA 4.0", None),
    ("Image: Flickr by Omar Haddad, https://creativecommons.org/licenses/by-nc-sa/2.0/ Port at dusk",
     "Omar Haddad", "CC BY-NC-SA 2.0", "https://creativecommons.org/licenses/by-nc-sa/2.0/"),
    ("Photo: Ann Lee, https://creativecommons.org/publicdomain/zero/1.0/", "Ann Lee", "CC0 1.0",
     "https://creativecommons.org/publicdomain/zero/1.0/"),
])
def test_credit_lines(line, author, licence, url):
    text = f"A headline here\n\nThe first paragraph of the story runs long enough to be body text.\n\n{line}\n\nMore body text follows here, as it does.\n"
    sections, credits = segment(text)
    assert [s.kind for s in sections] == ["headline", "lede", "credit", "body"]
    assert len(credits) == 1
    c = credits[0]
    assert (c.author, c.license, c.license_url) == (author, licence, url)
    assert c.span.text == line == text[c.span.start:c.span.end]


def test_background_heading_only_late_in_the_article():
    early = "Background\n\nA paragraph of news that opens the story, with a full sentence.\n\n" \
            "Another paragraph of news, also a full sentence.\n\nAnd a third one to end it."
    kinds = [s.kind for s in segment(early)[0]]
    assert "background" not in kinds
    late = "Title line\n\nNews paragraph one, a full sentence.\n\nNews paragraph two, a sentence.\n\n" \
           "Notes\n\nThe town was founded long ago.\n\nIt has a port."
    kinds = [s.kind for s in segment(late)[0]]
    assert kinds == ["headline", "lede", "body", "heading", "background", "background"]
