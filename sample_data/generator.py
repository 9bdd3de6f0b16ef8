"""Deterministic rosters of any size with Vietnamese names, for the demo, tests and benchmarks.

    python -m hoctap.sample_data.generator 100000 roster.csv     # a CSV with canonical headers
"""

from __future__ import annotations

import csv
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
          "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lương", "Mai", "Tạ", "Quách"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Hoài", "Gia", "Bảo",
          "Xuân", "Anh", "Khánh", "Phương", "Mỹ", "Đình", "Công", "Hồng"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Dương", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Huy",
         "Hương", "Khoa", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Ngân", "Nhung", "Phúc", "Phương",
         "Quân", "Quỳnh", "Sơn", "Tâm", "Thảo", "Thắng", "Thủy", "Tiến", "Trang", "Trí", "Tú", "Tuấn",
         "Uyên", "Việt", "Vy", "Yến", "Đạt", "Ánh", "Ý", "Ngọc", "Khôi", "Nhật"]
STAFF_DEPARTMENTS = ["Tổ Toán - Tin", "Tổ Ngữ văn", "Tổ Ngoại ngữ", "Tổ Khoa học tự nhiên",
                     "Tổ Khoa học xã hội", "Tổ Nghệ thuật - Thể chất", "Tổ Văn phòng", "Ban Giám hiệu"]
POSITIONS = ["Giáo viên", "Giáo viên", "Giáo viên", "Tổ trưởng", "Nhân viên", "Kế toán", "Hiệu phó"]
EMULATION = ["none", "advanced_worker", "grassroots_fighter", "provincial_fighter"]

# Canonical CSV columns, in order.
PERSON_COLUMNS = ["code", "full_name", "kind", "department", "position", "birth_year", "gender"]
FACT_COLUMNS = ["discipline", "required_training", "digital_training", "language_cert", "emulation_title",
                "learning_citizen", "lc_group"] + [f"lc_{i}" for i in range(1, 11)]


@dataclass
class Rates:
    """Share of people (0..1) for whom each fact is true or qualifying."""

    discipline: float = 0.96
    required_training: float = 0.93
    digital_training: float = 0.9
    language_cert: float = 0.6
    advanced_worker: float = 0.92
    learning_citizen: float = 0.93
    scored: float = 0.3  # share of people recorded by ten scores rather than the title
    extra: dict = field(default_factory=dict)


def name(rng: random.Random) -> tuple[str, str]:
    middle = rng.choice(MIDDLE)
    gender = "female" if middle in ("Thị", "Ngọc", "Thu", "Mỹ", "Hồng", "Phương") else rng.choice(["male", "female"])
    return f"{rng.choice(FAMILY)} {middle} {rng.choice(GIVEN)}", gender


def scores_for(rng: random.Random, passing: bool) -> list[int]:
    """Ten indicator scores that pass (total >= 80, none below 5) or fail."""
    if passing:
        return [rng.randint(7, 10) for _ in range(10)]
    if rng.random() < 0.5:
        scores = [rng.randint(8, 10) for _ in range(10)]
        scores[rng.randrange(10)] = rng.randint(0, 4)  # a good total, one indicator too low
        return scores
    scores = [rng.randint(5, 8) for _ in range(10)]
    while sum(scores) >= 80:  # every indicator >= 5 but the total short
        k = rng.randrange(10)
        scores[k] = max(5, scores[k] - 1)
    return scores


def people(n: int, *, seed: int = 0, learner_share: float = 0.9, rates: Rates | None = None,
           code_prefix: str = "P") -> Iterator[dict]:
    """``n`` people as flat dicts of canonical column -> value (CSV-ready text)."""
    rng = random.Random(seed)
    rates = rates or Rates()
    width = max(5, len(str(n)))
    n_learners = round(n * learner_share)
    for i in range(n):
        learner = i >= n - n_learners
        full_name, gender = name(rng)
        row = {
            "code": f"{code_prefix}{i + 1:0{width}d}",
            "full_name": full_name,
            "kind": "learner" if learner else "staff",
            "department": f"Lớp {rng.randint(6, 9)}A{rng.randint(1, 12)}" if learner else rng.choice(STAFF_DEPARTMENTS),
            "position": "Học sinh" if learner else rng.choice(POSITIONS),
            "birth_year": str(rng.randint(2010, 2014) if learner else rng.randint(1965, 2000)),
            "gender": gender,
        }
        lc = rng.random() < rates.learning_citizen
        if learner:
            row.update(learning_citizen="1" if lc else "0", lc_group="student")
        else:
            row.update(
                discipline="1" if rng.random() < rates.discipline else "0",
                required_training="1" if rng.random() < rates.required_training else "0",
                digital_training="1" if rng.random() < rates.digital_training else "0",
                language_cert="1" if rng.random() < rates.language_cert else "0",
                emulation_title=rng.choice(EMULATION[1:]) if rng.random() < rates.advanced_worker else "none",
                lc_group="official",
            )
            if rng.random() < rates.scored:
                for k, s in enumerate(scores_for(rng, lc), start=1):
                    row[f"lc_{k}"] = str(s)
            else:
                row["learning_citizen"] = "1" if lc else "0"
        yield row


def write_csv(path: Path | str, rows, *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    path = Path(path)
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.DictWriter(f, fieldnames=PERSON_COLUMNS + FACT_COLUMNS, delimiter=delimiter, extrasaction="ignore")
        w.writeheader()
        for row in rows:
            w.writerow(row)
    return path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2:
        print("usage: python -m hoctap.sample_data.generator N FILE.csv [SEED]", file=sys.stderr)
        return 2
    n, path = int(argv[0]), argv[1]
    seed = int(argv[2]) if len(argv) > 2 else 0
    write_csv(path, people(n, seed=seed))
    print(f"{n} people -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
