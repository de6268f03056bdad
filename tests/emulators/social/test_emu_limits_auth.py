"""Mastodon rate-limit headers (https://docs.joinmastodon.org/api/rate-limits/),
bearer auth errors and Idempotency-Key on POST /api/v1/statuses."""
import datetime

from control import request


def iso_epoch(value):
    return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def test_headers_count_down_and_reset(emu, ctl):
    alice = ctl.mastodon_account("alice")
    ctl.clock(set=1_700_000_010, freeze=True)
    seen = []
    for _ in range(3):
        r = request(emu.url + "/api/v1/timelines/home", token=alice["token"])
        assert r.status == 200
        seen.append((r.headers["X-RateLimit-Limit"], r.headers["X-RateLimit-Remaining"],
                     r.headers["X-RateLimit-Reset"]))
    assert [s[1] for s in seen] == ["299", "298", "297"]
    assert {s[0] for s in seen} == {"300"}
    reset = iso_epoch(seen[0][2])
    assert reset == 1_700_000_100          # end of the aligned 5-minute window
    ctl.clock(advance=reset - 1_700_000_010)
    r = request(emu.url + "/api/v1/timelines/home", token=alice["token"])
    assert r.headers["X-RateLimit-Remaining"] == "299"
    assert iso_epoch(r.headers["X-RateLimit-Reset"]) == reset + 300


def test_exhausted_limit_gives_429_until_reset(emu, ctl):
    alice = ctl.mastodon_account("alice")
    bob = ctl.mastodon_account("bob")
    ctl.limits(mastodon={"limit": 3, "period": 60})
    ctl.clock(set=1_700_000_000, freeze=True)
    codes = [request(emu.url + "/api/v1/lists", token=alice["token"]).status for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    r = request(emu.url + "/api/v1/lists", token=alice["token"])
    assert r.json() == {"error": "Too many requests"}
    assert r.headers["X-RateLimit-Remaining"] == "0"
    assert "Retry-After" not in r.headers       # Mastodon says when via X-RateLimit-Reset
    # Per token: bob is not limited.
    assert request(emu.url + "/api/v1/lists", token=bob["token"]).status == 200
    # The health check and the streaming server are not counted.
    assert request(emu.url + "/api/v1/streaming/health").text() == "OK"
    ctl.clock(advance=60)
    assert request(emu.url + "/api/v1/lists", token=alice["token"]).status == 200


def test_auth_errors(emu, ctl):
    alice = ctl.mastodon_account("alice")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic " + alice["token"]}):
        r = request(emu.url + "/api/v1/accounts/verify_credentials", headers=headers)
        assert r.status == 401 and r.json() == {"error": "The access token is invalid"}
        assert "X-RateLimit-Remaining" not in r.headers
    r = request(emu.url + "/api/v1/streaming/user")
    assert r.status == 401
    assert request(emu.url + "/api/v1/nothing/here", token=alice["token"]).status == 404
    assert request(emu.url + "/api/v1/lists", "POST", token=alice["token"]).status == 405


def test_idempotency_key(emu, ctl):
    alice = ctl.mastodon_account("alice")
    ctl.clock(set=1_700_000_000, freeze=True)

    def post(key, text="hello"):
        r = request(emu.url + "/api/v1/statuses", "POST", token=alice["token"],
                    form={"status": text, "visibility": "unlisted"},
                    headers={"Idempotency-Key": key} if key else None)
        assert r.status == 200, r.text()
        return r.json()

    first = post("k-1")
    again = post("k-1", text="a retry may even differ")
    assert again["id"] == first["id"] and again["content"] == "<p>hello</p>"
    assert len(ctl.posted()) == 1
    other = post("k-2")
    assert other["id"] != first["id"]
    ctl.clock(advance=3601)                 # keys are kept for up to one hour
    assert post("k-1")["id"] not in (first["id"], other["id"])
    post(None)
    post(None)
    posted = ctl.posted()
    assert len(posted) == 5
    assert posted[0]["idempotency_key"] == "k-1" and posted[0]["visibility"] == "unlisted"
    # Keys are per account.
    bob = ctl.mastodon_account("bob")
    r = request(emu.url + "/api/v1/statuses", "POST", token=bob["token"], form={"status": "x"},
                headers={"Idempotency-Key": "k-2"})
    assert r.json()["id"] != other["id"]


def test_post_reply_visibility_and_cw(emu, ctl):
    alice = ctl.mastodon_account("alice")
    parent = ctl.status(ctl.mastodon_account("bob")["id"], text="q")
    r = request(emu.url + "/api/v1/statuses", "POST", token=alice["token"], json_body={
        "status": "answer <b>&", "in_reply_to_id": parent["id"], "visibility": "private",
        "spoiler_text": "spoilers"})
    st = r.json()
    assert r.status == 200 and st["in_reply_to_id"] == parent["id"]
    assert st["visibility"] == "private" and st["spoiler_text"] == "spoilers" and st["sensitive"]
    assert st["content"] == "<p>answer &lt;b&gt;&amp;</p>"
    bad = request(emu.url + "/api/v1/statuses", "POST", token=alice["token"],
                  form={"status": "x", "visibility": "everyone"})
    assert bad.status == 422
    missing = request(emu.url + "/api/v1/statuses", "POST", token=alice["token"],
                      form={"status": "x", "in_reply_to_id": "1"})
    assert missing.status == 404
    assert len(ctl.posted()) == 1


def test_viva_auth(emu, ctl):
    ann = ctl.viva_user("ann")
    assert request(emu.url + "/api/v1/users/current.json").status == 401
    assert request(emu.url + "/api/v1/messages/my_feed.json", token="nope").status == 401
    assert request(emu.url + "/api/v1/users/current.json", token=ann["token"]).json()["id"] == ann["id"]
    # Tokens of one API are not valid on the other.
    assert request(emu.url + "/api/v1/timelines/home", token=ann["token"]).status == 401
