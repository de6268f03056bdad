"""Mastodon pagination as https://docs.joinmastodon.org/api/guidelines/#pagination
documents it: max_id / since_id / min_id / limit and the Link header."""
import pytest

from control import parse_link, request


@pytest.fixture
def timeline(ctl):
    """alice follows bob, who posted 7 statuses (ids ascending = oldest first)."""
    alice = ctl.mastodon_account("alice")
    bob = ctl.mastodon_account("bob")
    ctl.follow(alice["id"], bob["id"])
    ids = ctl.statuses_bulk(bob["id"], 7, text="post {n}")
    alice["bob_id"] = bob["id"]
    return alice, ids


def page(emu, url, token):
    r = request(url if url.startswith("http") else emu.url + url, token=token)
    assert r.status == 200, r.text()
    return [s["id"] for s in r.json()], parse_link(r.headers.get("Link"))


def test_default_and_max_limit(emu, ctl, timeline):
    alice, _ = timeline
    ctl.statuses_bulk(alice["id"], 50)
    assert len(page(emu, "/api/v1/timelines/home", alice["token"])[0]) == 20
    assert len(page(emu, "/api/v1/timelines/home?limit=100", alice["token"])[0]) == 40
    assert len(page(emu, "/api/v1/timelines/home?limit=3", alice["token"])[0]) == 3


def test_backward_walk_with_max_id_and_link_next(emu, timeline):
    alice, ids = timeline
    seen, url = [], "/api/v1/timelines/home?limit=3"
    while url:
        got, links = page(emu, url, alice["token"])
        seen += got
        url = links.get("next")
        if got:
            assert "max_id=%s" % got[-1] in url if url else len(got) < 3
    assert seen == ids[::-1]       # newest first, nothing twice, nothing skipped


def test_forward_walk_with_min_id_and_link_prev(emu, ctl, timeline):
    alice, ids = timeline
    # Start at the cursor of the oldest status and page forward in time.
    got, links = page(emu, "/api/v1/timelines/home?limit=3&min_id=%s" % ids[0], alice["token"])
    assert got == [ids[3], ids[2], ids[1]]          # immediately newer than the cursor
    assert "min_id=%s" % ids[3] in links["prev"]
    collected = got[::-1]
    cursor = links["prev"]
    while True:
        got, links = page(emu, cursor, alice["token"])
        if not got:
            break
        collected += got[::-1]
        cursor = links["prev"]
    assert collected == ids[1:]
    assert links == {}           # an empty page has no Link header
    # A client polls on its last prev cursor: a new post shows up there, once.
    new = ctl.status(alice["bob_id"], text="fresh")
    assert page(emu, cursor, alice["token"])[0] == [new["id"]]


def test_since_id_differs_from_min_id(emu, timeline):
    alice, ids = timeline
    since, _ = page(emu, "/api/v1/timelines/home?limit=2&since_id=%s" % ids[0], alice["token"])
    minid, _ = page(emu, "/api/v1/timelines/home?limit=2&min_id=%s" % ids[0], alice["token"])
    assert since == [ids[6], ids[5]]     # since_id: the newest above the bound (gap below)
    assert minid == [ids[2], ids[1]]     # min_id: the ones right after the cursor


def test_max_id_and_min_id_together(emu, timeline):
    alice, ids = timeline
    got, _ = page(emu, "/api/v1/timelines/home?min_id=%s&max_id=%s" % (ids[1], ids[5]), alice["token"])
    assert got == [ids[4], ids[3], ids[2]]
    got, _ = page(emu, "/api/v1/timelines/home?max_id=%s" % ids[0], alice["token"])
    assert got == []


def test_following_pages_by_hidden_follow_ids(emu, ctl):
    alice = ctl.mastodon_account("alice")
    others = [ctl.mastodon_account("u%d" % i) for i in range(5)]
    for o in others:
        ctl.follow(alice["id"], o["id"])
    seen, url = [], "/api/v1/accounts/%s/following?limit=2" % alice["id"]
    while url:
        got, links = page(emu, url, alice["token"])
        seen += got
        url = links.get("next")
        if got:
            assert "since_id=" in links["prev"]       # as the docs' example
    assert seen == [o["id"] for o in others][::-1]
    # The cursors are follow ids, not account ids.
    first = parse_link(request(emu.url + "/api/v1/accounts/%s/following?limit=2" % alice["id"],
                               token=alice["token"]).headers["Link"])
    assert all(o["id"] not in first["next"] for o in others)


def test_lists_and_tag_timelines_paginate(emu, ctl):
    alice = ctl.mastodon_account("alice")
    bob = ctl.mastodon_account("bob")
    lst = ctl.mastodon_list(alice["id"], "work", [bob["id"]])
    ids = ctl.statuses_bulk(bob["id"], 5, text="n{n} #acme")
    got, links = page(emu, "/api/v1/timelines/list/%s?limit=2" % lst["id"], alice["token"])
    assert got == ids[:-3:-1] and "max_id=%s" % ids[3] in links["next"]
    got, links = page(emu, "/api/v1/timelines/tag/acme?limit=4", alice["token"])
    assert got == ids[:0:-1]
    got, _ = page(emu, links["next"], alice["token"])
    assert got == ids[:1]


def test_home_excludes_direct_and_unfollowed(emu, ctl):
    alice = ctl.mastodon_account("alice")
    bob = ctl.mastodon_account("bob")
    eve = ctl.mastodon_account("eve")
    ctl.follow(alice["id"], bob["id"])
    ctl.status(eve["id"], text="not followed")
    dm = ctl.status(bob["id"], text="secret", visibility="direct", mentions=[alice["id"]])
    boost_of = ctl.status(eve["id"], text="boost me")
    boost = ctl.status(bob["id"], reblog_of=boost_of["id"])
    r = request(emu.url + "/api/v1/timelines/home", token=alice["token"]).json()
    assert [s["id"] for s in r] == [boost["id"]]
    assert r[0]["reblog"]["id"] == boost_of["id"] and r[0]["content"] == ""
    assert dm["id"] not in [s["id"] for s in r]
