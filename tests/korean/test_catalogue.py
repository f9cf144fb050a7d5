"""No Korean message leaves a fixed particle right after an interpolated value."""

from __future__ import annotations

from tests.korean.catalogue import fixed_particles, scan


def test_no_fixed_particle_after_an_interpolation():
    left = scan()
    assert not left, "choose these with bot.korean.attach / josa, or {field:는} in a template:\n" + "\n".join(left)


def test_the_scan_finds_each_kind_of_fixed_particle():
    source = """
Msg(f"{db} stopped", f"{db} 는 중지되었습니다")
Msg(f"{db} stopped", f"`{db}` 를 중지했습니다")
Msg(f"{db} stopped", f"{db}가 중지되었습니다")
TEMPLATE = ("{id} is a member", "{id} 는 멤버입니다")
"""
    found = fixed_particles(source, "example.py")
    assert [line.split(": ", 1)[1] for line in found] == ["{db} 는", "{db}` 를", "{db}가", "{id} 는"]


def test_the_scan_leaves_chosen_particles_and_other_words_alone():
    source = """
Msg(f"{db} stopped", f"{attach(db, '는')} 중지되었습니다")
Msg(f"{db} stopped", f"`{db}` {josa(db, '를')} 중지했습니다")
Msg(f"{n} pods", f"파드 {n}개가 {n} 이상입니다")
Msg(f"{a} ({b})", f"클러스터({b})가 있습니다")
TEMPLATE = ("{id} is a member", "{id:는} 멤버입니다")
"""
    assert fixed_particles(source, "example.py") == []
