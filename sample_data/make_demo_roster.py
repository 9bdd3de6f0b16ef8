"""Regenerates demo_roster.csv with exact counts, so the demo's meters land where intended:
C2.3 falls short by one member (53/60 < 90%), C3.1-learners by three pupils (757/800 < 95%),
C3.1 passes exactly at 90% (54/60); the rest pass.

    python -m hoctap.sample_data.make_demo_roster
"""

from __future__ import annotations

import random
from pathlib import Path

from hoctap.sample_data.generator import people, scores_for, write_csv

STAFF, LEARNERS = 60, 800
EXACT = {  # fact -> how many staff qualify
    "discipline": 58, "required_training": 56, "digital_training": 53, "language_cert": 35,
}
ADVANCED_WORKERS = 55
LC_STAFF, LC_LEARNERS = 54, 757
SCORED_STAFF = 20  # staff recorded by their ten scores; the rest by the title


def rows() -> list[dict]:
    rng = random.Random(2024)
    out = list(people(STAFF + LEARNERS, seed=2024, learner_share=LEARNERS / (STAFF + LEARNERS), code_prefix="LQD"))
    staff, learners = out[:STAFF], out[STAFF:]
    for fact, n in EXACT.items():
        yes = set(rng.sample(range(STAFF), n))
        for i, r in enumerate(staff):
            r[fact] = "1" if i in yes else "0"
    advanced = set(rng.sample(range(STAFF), ADVANCED_WORKERS))
    lc_yes = set(rng.sample(range(STAFF), LC_STAFF))
    scored = set(rng.sample(range(STAFF), SCORED_STAFF))
    for i, r in enumerate(staff):
        r["emulation_title"] = rng.choice(["advanced_worker", "advanced_worker", "grassroots_fighter"]) if i in advanced else "none"
        for k in range(1, 11):
            r.pop(f"lc_{k}", None)
        r.pop("learning_citizen", None)
        if i in scored:
            for k, s in enumerate(scores_for(rng, i in lc_yes), start=1):
                r[f"lc_{k}"] = str(s)
        else:
            r["learning_citizen"] = "1" if i in lc_yes else "0"
    lc_learners = set(rng.sample(range(LEARNERS), LC_LEARNERS))
    for i, r in enumerate(learners):
        r["learning_citizen"] = "1" if i in lc_learners else "0"
    return out


if __name__ == "__main__":
    path = write_csv(Path(__file__).with_name("demo_roster.csv"), rows())
    print(f"wrote {path}")
