"""Planning the demo county's people: staff, mediators, grid workers, training, recusals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from fengqiao.core.choices import DisputeCategory as Cat
from fengqiao.core.choices import Gender
from fengqiao.demo.county import CountyPlanner
from fengqiao.demo.data import (
    ADMIN_DEPARTMENTS,
    BACKGROUNDS,
    COUNTY_CODE,
    COUNTY_NAME,
    COURT_CATEGORIES,
    EXPERT_FIELDS,
    GRADES,
    INDUSTRY_COMMITTEES,
    MASS_ORGS,
    NUMERALS,
    PLACE_FIRST,
    PLACE_SECOND,
    RECUSAL_RELATIONS,
    STARS,
    TOWNSHIP_CATEGORIES,
)
from fengqiao.demo.planning import (
    MembershipPlan,
    PersonPlan,
    PlanVillage,
    ProfilePlan,
    TrainingPlan,
    township_key,
)
from fengqiao.orgs.choices import (
    Background,
    ExpertField,
    MediatorGrade,
    PersonRole,
    Position,
    TrainingKind,
    VolunteerKind,
)


class PeoplePlanner(CountyPlanner):
    # -- people -------------------------------------------------------------------------------

    def person(
        self,
        region: str,
        kind: str,
        *,
        gender: str | None = None,
        women: float = 0.4,
        born: tuple[int, int] = (1962, 1992),
    ) -> PersonPlan:
        if gender is None:
            gender = Gender.FEMALE if self.chance(women) else Gender.MALE
        name = self.person_name(gender)
        year = self.rng.randint(*born)
        birthday = date(year, 1, 1) + timedelta(days=int(self.rng.random() * 365))
        background = self.pick(BACKGROUNDS[kind])
        official = kind == "official"
        party = self.chance(
            0.85
            if official or background in (Background.VILLAGE_CADRE, Background.RETIRED_OFFICER)
            else 0.4
        )
        volunteer = VolunteerKind.NONE
        draw = self.rng.random()
        if not official:
            if year <= 1962 and draw < 0.6:
                volunteer = VolunteerKind.FIVE_ELDERS
            elif draw < 0.08:
                volunteer = VolunteerKind.DEPUTIES
            elif draw < 0.22:
                volunteer = VolunteerKind.VOLUNTEER
        plan = PersonPlan(
            key=f"p{len(self.people) + 1:04d}",
            name=name,
            gender=gender,
            region=region,
            id_number=self.id_number(birthday, gender),
            phone=self.phone(),
            birth_year=year,
            background=background,
            is_party_member=party,
            volunteer_kind=volunteer,
        )
        self.people.append(plan)
        return plan

    def join(
        self,
        person: PersonPlan,
        org: str,
        role: str,
        position: str = Position.MEMBER,
        *,
        full_time: bool = False,
    ) -> PersonPlan:
        started = self.days_ago(30, 3650)
        person.memberships.append(MembershipPlan(org, role, position, full_time, started))
        return person

    def profile(
        self,
        person: PersonPlan,
        level: str,
        categories: Sequence[str],
        *,
        studio: str = "",
        expert_fields: Sequence[str] = (),
    ) -> None:
        count = min(len(categories), self.rng.randint(1, 3))
        person.profile = ProfilePlan(
            specialties=sorted(self.rng.sample(list(categories), count)),
            grade=self.pick(GRADES[level]),
            stars=self.pick(STARS[level]),
            certified_on=self.days_ago(60, 2900),
            studio=studio,
            expert_fields=list(expert_fields),
        )

    def staff(self, org: str, region: str, role: str, position: str = Position.STAFF) -> PersonPlan:
        person = self.person(region, "official", born=(1968, 1996), women=0.35)
        return self.join(person, org, role, position)

    def committee(
        self,
        org: str,
        region: str,
        *,
        members: int,
        full_time: int,
        kind: str,
        level: str,
        categories: Sequence[str],
        no_woman: bool = False,
        born: tuple[int, int] = (1955, 1990),
    ) -> list[PersonPlan]:
        """A mediation committee: 主任, 副主任 and 委员, the first ``full_time`` 专职."""
        genders = [Gender.FEMALE if self.chance(0.4) else Gender.MALE for _ in range(members)]
        if no_woman:
            genders = [Gender.MALE] * members
        elif Gender.FEMALE not in genders:
            genders[-1] = Gender.FEMALE  # 人民调解法 art. 8: at least one woman
        people = []
        for i, gender in enumerate(genders):
            position = (
                Position.DIRECTOR if i == 0 else Position.DEPUTY if i == 1 else Position.MEMBER
            )
            person = self.person(region, kind, gender=gender, born=born)
            self.join(person, org, PersonRole.MEDIATOR, position, full_time=i < full_time)
            self.profile(person, level, categories)
            people.append(person)
        return people

    def room(
        self, org: str, region: str, *, full_time: int, part_time: int = 0
    ) -> list[PersonPlan]:
        categories = self.orgs[org].categories
        people = []
        for i in range(full_time + part_time):
            person = self.person(region, "room", born=(1955, 1985), women=0.35)
            self.join(person, org, PersonRole.MEDIATOR, Position.MEDIATOR, full_time=i < full_time)
            self.profile(person, "senior", categories)
            people.append(person)
        return people

    def invited(self, org: str, region: str, count: int) -> list[PersonPlan]:
        people = []
        for _ in range(count):
            person = self.person(region, "invited", born=(1952, 1985))
            self.join(person, org, PersonRole.INVITED_MEDIATOR, Position.MEDIATOR)
            self.profile(person, "senior", COURT_CATEGORIES)
            people.append(person)
        return people

    def plan_county_people(self) -> None:
        county = COUNTY_CODE
        leader = self.staff("platform", county, PersonRole.LEADER, Position.HEAD)
        self.staff("platform", county, PersonRole.LEADER, Position.DEPUTY)
        liaison = self.staff("platform", county, PersonRole.DISPATCHER)
        dispatcher = self.staff("platform", county, PersonRole.DISPATCHER)
        self.orgs["platform"].liaison = liaison.key
        self.account_people["leader"] = leader.key
        self.account_people["dispatcher_county"] = dispatcher.key

        self.staff("court", county, PersonRole.JUDGE, Position.HEAD)
        for _ in range(3):
            self.staff("court", county, PersonRole.JUDGE)
        clerk = self.staff("court", county, PersonRole.JUDGE_ASSISTANT)
        self.staff("court", county, PersonRole.JUDGE_ASSISTANT)
        self.orgs["court"].liaison = clerk.key
        invited = self.invited("court", county, 6)
        first = invited[0]
        if first.profile is not None:
            first.profile.studio = f"老{first.name[0]}调解工作室"
            first.profile.grade = MediatorGrade.CHIEF

        self.orgs["procuratorate"].liaison = self.staff(
            "procuratorate", county, PersonRole.STAFF
        ).key
        self.staff("justice", county, PersonRole.JUSTICE_OFFICER, Position.HEAD)
        self.orgs["justice"].liaison = self.staff("justice", county, PersonRole.JUSTICE_OFFICER).key
        self.orgs["petition"].liaison = self.staff("petition", county, PersonRole.STAFF).key
        self.orgs["police"].liaison = self.staff("police", county, PersonRole.POLICE).key

        # 调解专家库, kept by the 司法局: one or two fields each.
        for i in range(10):
            person = self.person(county, "expert", born=(1958, 1988))
            self.join(person, "justice", PersonRole.EXPERT, Position.MEMBER)
            fields = [EXPERT_FIELDS[i % len(EXPERT_FIELDS)]]
            if self.chance(0.3):
                fields.append(EXPERT_FIELDS[(i + 3) % len(EXPERT_FIELDS)])
            self.profile(
                person,
                "senior",
                [c for _f, cats in fields for c in cats],
                expert_fields=[f for f, _c in fields],
            )

        self.room("court.room", county, full_time=2, part_time=1)
        self.room("petition.room", county, full_time=2)

        for key, _name, cats, full_time in INDUSTRY_COMMITTEES:
            org = f"industry.{key}"
            members = self.committee(
                org,
                county,
                members=self.rng.randint(5, 7),
                full_time=full_time,
                kind="industry",
                level="senior",
                categories=cats,
            )
            self.orgs[org].liaison = members[1].key
            if key == "medical":
                # A full-time 委员 of the 医调委 (the director and deputy are kept for liaison).
                self.account_people["mediator_industry"] = members[2].key
            if full_time < 3:
                self.plants.short_full_time.append(self.orgs[org].name)
        # The 医调委 calls on medical experts of its own as well.
        for _ in range(2):
            person = self.person(county, "expert", born=(1960, 1985))
            self.join(person, "industry.medical", PersonRole.EXPERT)
            self.profile(person, "senior", [Cat.MEDICAL], expert_fields=[ExpertField.MEDICINE])

        for key, _dept, _room, cats in ADMIN_DEPARTMENTS:
            head = self.staff(f"dept.{key}", county, PersonRole.STAFF, Position.HEAD)
            self.orgs[f"dept.{key}"].liaison = head.key
            for _ in range(2):
                person = self.person(county, "official", born=(1970, 1995))
                self.join(person, f"dept.{key}.room", PersonRole.MEDIATOR, Position.MEDIATOR)
                self.profile(person, "senior", cats)

        lawyers = []
        for i in range(2):
            person = self.person(county, "lawyer", born=(1970, 1990))
            self.join(
                person,
                "lawyer",
                PersonRole.MEDIATOR,
                Position.HEAD if i == 0 else Position.MEDIATOR,
            )
            self.profile(person, "senior", self.orgs["lawyer"].categories)
            lawyers.append(person)
        self.orgs["lawyer"].liaison = lawyers[0].key
        for i in range(2):
            person = self.person(county, "industry", born=(1965, 1988))
            position = Position.HEAD if i == 0 else Position.MEDIATOR
            self.join(person, "commercial", PersonRole.MEDIATOR, position)
            self.profile(person, "senior", self.orgs["commercial"].categories)
        self.invited("invited", county, 3)
        for key, _name, _cats in MASS_ORGS:
            staff = self.staff(f"mass.{key}", county, PersonRole.STAFF)
            self.orgs[f"mass.{key}"].liaison = staff.key
        # The 妇联 keeps a volunteer mediator for family disputes.
        volunteer = self.person(county, "township", gender=Gender.FEMALE, born=(1955, 1975))
        volunteer.volunteer_kind = VolunteerKind.VOLUNTEER
        self.join(volunteer, "mass.women", PersonRole.MEDIATOR, Position.MEDIATOR)
        self.profile(volunteer, "senior", [Cat.MARRIAGE_FAMILY])
        if volunteer.profile is not None:
            volunteer.profile.studio = f"{volunteer.name[0]}大姐调解工作室"

    def plan_township_people(self, account_towns: tuple[int, int]) -> None:
        count = len(self.townships)
        short_committees = self.rng.sample(range(count), 2)
        short_police_rooms = self.rng.sample(range(count), 2)
        studios = self.rng.sample(range(count), 2)
        for town in self.townships:
            t, code = f"t{town.index}", town.code
            self.staff(f"{t}.platform", code, PersonRole.LEADER, Position.HEAD)
            dispatcher = self.staff(f"{t}.platform", code, PersonRole.DISPATCHER)
            self.orgs[f"{t}.platform"].liaison = dispatcher.key
            if town.index == account_towns[0]:
                self.account_people["dispatcher"] = dispatcher.key

            self.staff(f"{t}.justice", code, PersonRole.JUSTICE_OFFICER, Position.HEAD)
            officer = self.staff(f"{t}.justice", code, PersonRole.JUSTICE_OFFICER)
            self.orgs[f"{t}.justice"].liaison = officer.key

            self.staff(f"{t}.police", code, PersonRole.POLICE, Position.HEAD)
            community_officer = self.staff(f"{t}.police", code, PersonRole.POLICE)
            self.staff(f"{t}.police", code, PersonRole.POLICE)
            self.orgs[f"{t}.police"].liaison = community_officer.key

            if town.index == account_towns[0]:
                self.account_people["police"] = community_officer.key
                self.account_people["justice"] = officer.key

            if f"{t}.tribunal" in self.orgs:
                self.staff(f"{t}.tribunal", code, PersonRole.JUDGE, Position.HEAD)
                judge = self.staff(f"{t}.tribunal", code, PersonRole.JUDGE)
                clerk = self.staff(f"{t}.tribunal", code, PersonRole.JUDGE_ASSISTANT)
                self.orgs[f"{t}.tribunal"].liaison = clerk.key
                self.invited(f"{t}.tribunal", code, 2)
                room = self.room(f"{t}.tribunal.room", code, full_time=2)
                if town.index == account_towns[0] - account_towns[0] % 2:
                    self.account_people["judge"] = judge.key
                    self.account_people["clerk"] = clerk.key
                    self.account_people["mediator_court"] = room[0].key

            short = town.index in short_committees
            members = self.committee(
                f"{t}.committee",
                code,
                members=self.rng.randint(5, 7),
                full_time=1 if short else 2,
                kind="township",
                level="senior",
                categories=TOWNSHIP_CATEGORIES,
            )
            if short:
                self.plants.short_full_time.append(self.orgs[f"{t}.committee"].name)
            self.orgs[f"{t}.committee"].liaison = members[1].key
            director = members[0]
            if town.index in studios and director.profile is not None:
                director.profile.studio = f"老{director.name[0]}调解工作室"
                director.profile.grade = MediatorGrade.CHIEF
                director.profile.stars = 5

            if town.index in short_police_rooms:
                self.room(f"{t}.police.room", code, full_time=1, part_time=1)
                self.plants.short_full_time.append(self.orgs[f"{t}.police.room"].name)
            else:
                self.room(f"{t}.police.room", code, full_time=2)
            if f"{t}.petition.room" in self.orgs:
                self.room(f"{t}.petition.room", code, full_time=2)

    def plan_village_people(self, account_villages: tuple[PlanVillage, PlanVillage]) -> None:
        villages = [v for town in self.townships for v in town.villages]
        candidates = [v for v in villages if v not in account_villages]
        picked = self.rng.sample(range(len(candidates)), 6)
        small = {candidates[i].code for i in picked[0:2]}
        no_woman = candidates[picked[2]].code
        oversized = candidates[picked[3]].code
        no_full_time = {candidates[i].code for i in picked[4:6]}
        studio_village = candidates[self.rng.randrange(len(candidates))].code
        for village in villages:
            org = village.committee
            name = self.orgs[org].name
            members = self.pick([(3, 70), (4, 20), (5, 10)])
            if village.code in small:
                members = 2
                self.plants.too_few_members.append(name)
            elif village.code == oversized:
                members = 10
                self.plants.too_many_members.append(name)
            if village.code == no_woman:
                self.plants.no_woman.append(name)
            full_time = 1
            if village.code in no_full_time:
                full_time = 0
                self.plants.short_full_time.append(name)
            people = self.committee(
                org,
                village.code,
                members=members,
                full_time=full_time,
                kind="village",
                level="village",
                categories=self.orgs[org].categories,
                no_woman=village.code == no_woman,
                born=(1952, 1992),
            )
            self.orgs[org].liaison = people[0].key
            # 调解员入网格: the village's grids are shared out among its committee members.
            for g, grid in enumerate(village.grids):
                profile = people[g % len(people)].profile
                if profile is not None:
                    profile.grids.append(grid)
            if village.code == studio_village and people[0].profile is not None:
                people[0].profile.studio = f"{people[0].name}调解工作室"
                people[0].profile.grade = MediatorGrade.SENIOR
            # One full-time 网格员 for the first grid; committee members cover the rest.
            grid_worker = self.person(village.grids[0], "grid", born=(1975, 1998), women=0.5)
            self.join(grid_worker, org, PersonRole.GRID_WORKER, Position.STAFF, full_time=True)
            if village is account_villages[0]:
                self.account_people["mediator"] = people[0].key
                self.account_people["gridworker"] = grid_worker.key
            elif village is account_villages[1]:
                self.account_people["mediator2"] = people[0].key

    # -- training and recusal -----------------------------------------------------------------

    def plan_training(self) -> None:
        """Trainings last year and this year; about one mediator in ten has had no practical
        training yet this year (the yearly minimum of seed 003)."""
        mediators = [
            p for p in self.people if any(m.role == PersonRole.MEDIATOR for m in p.memberships)
        ]
        untrained_count = max(1, round(len(mediators) * 0.1))
        untrained = {p.key for p in self.rng.sample(mediators, untrained_count)}
        self.plants.untrained = [p.key for p in mediators if p.key in untrained]
        this_year, last_year = self.today.year, self.today.year - 1
        # Scheduled events: one date per event, shared by everyone who attended it.
        events: dict[tuple[str, int], date] = {}
        for year in (last_year, this_year):
            events[("district", year)] = self.in_year(year)
            events[("central", year)] = self.in_year(year)
            events[("online", year)] = self.in_year(year)
            for town in self.townships:
                for session in (1, 2):
                    events[(f"t{town.index}.{session}", year)] = self.in_year(year)
            for key, *_rest in INDUSTRY_COMMITTEES:
                events[(f"industry.{key}", year)] = self.in_year(year)

        def practical(person: PersonPlan, year: int) -> TrainingPlan:
            home = person.home_org
            town = township_key(home)
            session = self.rng.randint(1, 2)
            if home.startswith("industry.") and self.chance(0.6):
                name = self.orgs[home].name
                return TrainingPlan(
                    events[(home, year)],
                    TrainingKind.PRACTICAL,
                    f"{year}年{name}业务实训",
                    Decimal(4),
                    home,
                )
            if town and self.chance(0.7):
                office = self.orgs[f"{town}.justice"].name
                return TrainingPlan(
                    events[(f"{town}.{session}", year)],
                    TrainingKind.PRACTICAL,
                    f"{year}年{office}人民调解员实训（第{NUMERALS[session - 1]}期）",
                    Decimal(4),
                    f"{town}.justice",
                )
            return TrainingPlan(
                events[("district", year)],
                TrainingKind.PRACTICAL,
                f"{year}年{COUNTY_NAME}人民调解员岗位实训",
                Decimal(6),
                "justice",
            )

        def central(year: int) -> TrainingPlan:
            return TrainingPlan(
                events[("central", year)],
                TrainingKind.CENTRALIZED,
                f"{year}年{COUNTY_NAME}人民调解员集中培训",
                Decimal(8),
                "justice",
            )

        def online(year: int) -> TrainingPlan:
            return TrainingPlan(
                events[("online", year)],
                TrainingKind.ONLINE,
                f"{year}年人民调解法律知识线上课程",
                Decimal("2.5"),
                "justice",
            )

        for person in mediators:
            trainings = [practical(person, last_year)]
            if self.chance(0.5):
                trainings.append(central(last_year))
            if person.key in untrained:
                if self.chance(0.5):
                    trainings.append(online(this_year))
            else:
                trainings.append(practical(person, this_year))
                if self.chance(0.3):
                    trainings.append(practical(person, this_year))
                if self.chance(0.4):
                    trainings.append(online(this_year))
            # One record per event and person.
            seen: list[tuple[date, str]] = []
            for training in trainings:
                if (training.held_on, training.title) not in seen:
                    seen.append((training.held_on, training.title))
                    person.trainings.append(training)

    def plan_recusals(self) -> None:
        mediators = [p for p in self.people if p.profile is not None]
        for person in self.rng.sample(mediators, min(6, len(mediators))):
            if self.chance(0.5):
                subject = self.person_name(Gender.MALE if self.chance(0.5) else Gender.FEMALE)
            else:
                firm = self.rng.choice(PLACE_FIRST) + self.rng.choice(PLACE_SECOND)
                subject = f"{COUNTY_NAME}{firm}{self.rng.choice(['建材', '物业', '运输'])}有限公司"
            person.recusals.append((subject, self.rng.choice(RECUSAL_RELATIONS)))
