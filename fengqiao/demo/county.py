"""Planning the demo county's regions and organizations."""

from __future__ import annotations

from collections.abc import Sequence

from fengqiao.core.choices import DisputeCategory as Cat
from fengqiao.demo.data import (
    ADMIN_DEPARTMENTS,
    CITY_CODE,
    CITY_NAME,
    COMMUNITY_CATEGORIES,
    COUNTY_CODE,
    COUNTY_NAME,
    COURT_CATEGORIES,
    INDUSTRY_COMMITTEES,
    MASS_ORGS,
    NUMERALS,
    PETITION_CATEGORIES,
    PLACE_FIRST,
    PLACE_SECOND,
    POLICE_CATEGORIES,
    PROVINCE_CODE,
    PROVINCE_NAME,
    TOWNSHIP_CATEGORIES,
    VILLAGE_CATEGORIES,
)
from fengqiao.demo.planning import OrgPlan, PlannerBase, PlanTownship, PlanVillage, RegionPlan


class CountyPlanner(PlannerBase):
    # -- regions ------------------------------------------------------------------------------

    def plan_regions(self) -> None:
        size = self.size
        streets = min(2, size.townships - 2)
        names = self.place_names(size.townships * (1 + size.villages_per_township))
        town_names, village_names = names[: size.townships], names[size.townships :]
        county_population = 0
        town_rows: list[RegionPlan] = []
        village_rows: list[RegionPlan] = []
        for t in range(size.townships):
            if t < streets:
                suffix, code = "街道", f"{t + 1:03d}"
            elif t < size.townships - 1 or size.townships < 4:
                suffix, code = "镇", f"{100 + t - streets + 1:03d}"
            else:
                suffix, code = "乡", "201"
            town_code = f"{COUNTY_CODE[:6]}{code}000"
            base = town_names[t]
            villages: list[PlanVillage] = []
            town_population = 0
            for v in range(size.villages_per_township):
                community = suffix == "街道"
                vname = village_names[t * size.villages_per_township + v]
                vname += "社区" if community else "村"
                vcode = town_code[:9] + (f"{v + 1:03d}" if community else f"{200 + v + 1:03d}")
                population = (
                    self.rng.randint(3000, 9000) if community else self.rng.randint(800, 3500)
                )
                grids = []
                shares = [0.7 + 0.6 * self.rng.random() for _ in range(size.grids_per_village)]
                left = population
                grid_rows = []
                for g in range(size.grids_per_village):
                    gcode = f"{vcode}{g + 1:03d}"
                    if g == size.grids_per_village - 1:
                        gpop = left
                    else:
                        gpop = int(population * shares[g] / sum(shares))
                        left -= gpop
                    grid_rows.append(RegionPlan(gcode, f"{vname}第{NUMERALS[g]}网格", gpop))
                    grids.append(gcode)
                village_rows.append(RegionPlan(vcode, vname, population))
                village_rows.extend(grid_rows)
                villages.append(PlanVillage(vcode, vname, community, grids))
                town_population += population
            town_rows.append(RegionPlan(town_code, base + suffix, town_population))
            self.townships.append(PlanTownship(t, town_code, base, base + suffix, villages))
            county_population += town_population
        self.regions = [
            RegionPlan(PROVINCE_CODE, PROVINCE_NAME, 41_000_000),
            RegionPlan(CITY_CODE, CITY_NAME, 3_200_000),
            RegionPlan(COUNTY_CODE, COUNTY_NAME, county_population),
            *town_rows,
            *village_rows,
        ]

    # -- organizations ------------------------------------------------------------------------

    def org(
        self,
        key: str,
        name: str,
        kind: str,
        region: str,
        *,
        parent: str | None = None,
        categories: Sequence[str] = (),
        address: str = "",
    ) -> str:
        self.orgs[key] = OrgPlan(key, name, kind, region, parent, list(categories), address)
        return key

    def plan_county_orgs(self) -> None:
        c, county = COUNTY_NAME, COUNTY_CODE
        self.org("platform", f"{c}综治中心", "platform", county, address=self.address(""))
        self.org("court", f"{c}人民法院", "court", county, categories=COURT_CATEGORIES)
        self.org("procuratorate", f"{c}人民检察院", "procuratorate", county)
        self.org("justice", f"{c}司法局", "justice_bureau", county, parent="platform")
        self.org("petition", f"{c}信访办", "petition_office", county, parent="platform")
        self.org("police", f"{c}公安分局", "department", county)
        # The 分局's own 城区派出所 in the county seat, 32 officers and no 驻所调解室 yet: the
        # coverage report's gap (seed 004 item 7: 实有警力20人以上的派出所设立驻所调解室).
        self.org(
            "police.city",
            f"{c}公安分局城区派出所",
            "police_station",
            county,
            parent="police",
        )
        self.orgs["police.city"].officer_count = 32
        self.org(
            "court.room",
            f"{c}人民法院诉讼服务中心人民调解工作室",
            "room_court",
            county,
            parent="justice",
            categories=COURT_CATEGORIES,
        )
        self.org(
            "petition.room",
            f"{c}信访事项人民调解工作室",
            "room_petition",
            county,
            parent="justice",
            categories=PETITION_CATEGORIES,
        )
        for key, name, cats, _ft in INDUSTRY_COMMITTEES:
            self.org(
                f"industry.{key}",
                c + name,
                "committee_industry",
                county,
                parent="justice",
                categories=cats,
            )
        for key, dept, room, cats in ADMIN_DEPARTMENTS:
            self.org(f"dept.{key}", c + dept, "department", county)
            self.org(
                f"dept.{key}.room",
                c + room,
                "admin_mediation",
                county,
                parent=f"dept.{key}",
                categories=cats,
            )
        firm = self.rng.choice(PLACE_FIRST) + self.rng.choice(PLACE_SECOND)
        self.org(
            "lawyer",
            f"{firm}律师事务所驻{c}人民法院律师调解工作室",
            "lawyer_studio",
            county,
            parent="justice",
            categories=[Cat.CONTRACT, Cat.FINANCE, Cat.BUSINESS, Cat.LABOUR],
        )
        self.org(
            "commercial",
            f"{c}商事调解中心",
            "commercial",
            county,
            categories=[Cat.CONTRACT, Cat.BUSINESS, Cat.FINANCE, Cat.IP, Cat.INTERNET],
        )
        self.org(
            "invited",
            f"{c}金融纠纷调解中心",
            "invited_org",
            county,
            parent="court",
            categories=[Cat.FINANCE, Cat.CONTRACT, Cat.INTERNET],
        )
        for key, name, cats in MASS_ORGS:
            self.org(f"mass.{key}", c + name, "mass_org", county, categories=cats)

    def plan_township_orgs(self) -> None:
        for town in self.townships:
            t, code, base = f"t{town.index}", town.code, town.base
            address = self.address(town.name)
            self.org(f"{t}.platform", f"{town.name}平安办", "platform", code, parent="platform")
            self.org(f"{t}.justice", f"{base}司法所", "justice_office", code, parent="justice")
            self.org(
                f"{t}.police",
                f"{COUNTY_NAME}公安分局{base}派出所",
                "police_station",
                code,
                parent="police",
                categories=POLICE_CATEGORIES,
                address=address,
            )
            # 民警人数: a 街道's station is the largest; rural ones 12 to 26 (all have a room).
            self.orgs[f"{t}.police"].officer_count = (
                38 if town.name.endswith("街道") else (12, 26, 17, 21)[town.index % 4]
            )
            self.org(
                f"{t}.committee",
                f"{town.name}人民调解委员会",
                "committee_township",
                code,
                parent=f"{t}.justice",
                categories=TOWNSHIP_CATEGORIES,
            )
            # One 人民法庭 serves a pair of neighbouring townships; it sits in the first.
            if town.index % 2 == 0:
                self.org(
                    f"{t}.tribunal",
                    f"{COUNTY_NAME}人民法院{base}人民法庭",
                    "tribunal",
                    code,
                    parent="court",
                    categories=COURT_CATEGORIES,
                )
                self.org(
                    f"{t}.tribunal.room",
                    f"{base}人民法庭驻庭人民调解工作室",
                    "room_court",
                    code,
                    parent=f"{t}.committee",
                    categories=COURT_CATEGORIES,
                )
            self.org(
                f"{t}.police.room",
                f"{base}派出所驻所人民调解工作室",
                "room_police",
                code,
                parent=f"{t}.committee",
                categories=POLICE_CATEGORIES,
            )
            # 信访事项 rooms in the 街道 and every third township (not all: the coverage report
            # should have gaps to show).
            if town.name.endswith("街道") or town.index % 3 == 2:
                self.org(
                    f"{t}.petition.room",
                    f"{town.name}信访事项人民调解工作室",
                    "room_petition",
                    code,
                    parent=f"{t}.committee",
                    categories=PETITION_CATEGORIES,
                )
            tribunal = f"t{town.index - town.index % 2}.tribunal"
            for number, village in enumerate(town.villages):
                key = f"{t}.v{number:02d}"
                village.committee = self.org(
                    key,
                    f"{village.name}人民调解委员会",
                    "committee_village",
                    village.code,
                    parent=f"{t}.committee",
                    categories=COMMUNITY_CATEGORIES if village.is_community else VILLAGE_CATEGORIES,
                    address=f"{town.name}{village.name}"
                    + ("居民委员会" if village.is_community else "村民委员会"),
                )
                # 法庭与村结对: every village committee is paired with its township's tribunal.
                self.orgs[key].paired.append(tribunal)
