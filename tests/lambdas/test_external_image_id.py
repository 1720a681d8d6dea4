"""S3 key → ExternalImageId: always valid, deterministic, injective in practice, reversible when short."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

import lambdas.delete_on_remove.handler as delete_on_remove
import lambdas.index_on_upload.handler as index_on_upload
import lambdas.search_api.handler as search_api

VALID = re.compile(r"[a-zA-Z0-9_.\-:]+")
keys = st.text(min_size=0, max_size=400)  # any code points, surrogates included


@given(keys)
def test_any_key_gives_a_valid_id_that_both_handlers_agree_on(key: str) -> None:
    ext_id = index_on_upload.external_image_id(key)
    assert VALID.fullmatch(ext_id) and 1 <= len(ext_id) <= 255
    assert ext_id == delete_on_remove.external_image_id(key) == index_on_upload.external_image_id(key)


@given(keys)
def test_short_ids_decode_back_to_the_key_and_long_ones_are_hashed(key: str) -> None:
    ext_id = index_on_upload.external_image_id(key)
    decoded = search_api.s3_key_of(ext_id)
    if index_on_upload.HASH_MARK in ext_id:
        assert decoded is None and len(ext_id) <= 255
    else:
        assert decoded == key


@given(keys, keys)
def test_different_keys_give_different_ids(a: str, b: str) -> None:
    if a != b:
        assert index_on_upload.external_image_id(a) != index_on_upload.external_image_id(b)


def test_examples() -> None:
    assert index_on_upload.external_image_id("photos/a b.jpg") == "photos:2Fa:20b.jpg"
    assert index_on_upload.external_image_id("x:y") == "x:3Ay"
    long_a, long_b = "é" * 300 + "a", "é" * 300 + "b"
    assert index_on_upload.external_image_id(long_a) != index_on_upload.external_image_id(long_b)
    assert search_api.s3_key_of("not:ZZhex") is None
