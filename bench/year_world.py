"""The simulated municipality (pure, seeded): 300 employees, the ideas they will tell over the
year and each idea's hidden fate, six coordinators with their holidays and the one who leaves
in October, and one admin.

Every random draw about people's behaviour comes from `World.draw(*key)`: a generator of its
own for each key (an idea and a step, a coordinator and a message), so that the run with the
bot and the run without it draw the same numbers for the same decision, whatever else happened
in between.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from bench.year_metrics import Period, Staff
from bot.calendar import STOCKHOLM, WorkingCalendar

FIRST_NAMES = [
    "Anna",
    "Erik",
    "Maria",
    "Lars",
    "Karin",
    "Anders",
    "Eva",
    "Johan",
    "Sara",
    "Per",
    "Lena",
    "Mikael",
    "Emma",
    "Jonas",
    "Ida",
    "Peter",
    "Elin",
    "Daniel",
    "Hanna",
    "Fredrik",
    "Sofia",
    "Magnus",
    "Linnea",
    "Mats",
    "Amira",
    "Ali",
    "Fatima",
    "Omar",
    "Nora",
    "Hassan",
    "Ulla",
    "Bengt",
    "Malin",
    "Kristina",
    "Oskar",
    "Elsa",
    "Hugo",
    "Alice",
    "Leo",
    "Maja",
    "Ahmed",
    "Zeynep",
    "Sanna",
    "Viktor",
]
LAST_NAMES = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Lindberg",
    "Lindqvist",
    "Berg",
    "Holm",
    "Ek",
    "Lund",
    "Sandberg",
    "Öberg",
    "Hussein",
    "Ali",
    "Yilmaz",
]
PLACES = (
    "Hemtjänst Väster", "Hemtjänst Öster", "Björkskolan", "Ekbackens förskola", "Stadshuset",
    "Biblioteket", "Fritidsgården Väster", "Äldreboendet Solgläntan", "Simhallen",
    "Kommunens växel", "Tekniska kontoret", "Lasarettsgatans gruppboende", "Kulturskolan",
    "Gatukontoret", "Ängsskolan", "Socialtjänsten", "Måltidsservice", "Räddningstjänsten",
)  # fmt: skip
# (title, need, how it would work, who benefits): each idea takes one and a place.
TOPICS = (
    ("Cykelställ under tak", "Personalen har ingenstans att ställa cyklar när det regnar.",
     "Ett enkelt cykeltak med laddning för elcyklar.", "Alla som cyklar till jobbet."),
    ("Lånecyklar för hemtjänsten", "Vi väntar på bilar varje morgon och kommer sent till brukarna.",
     "Elcyklar som personalen kan låna för korta besök.", "Brukarna och personalen."),
    ("Tryggare gångtunnlar", "Många är rädda i gångtunnlarna på kvällen.",
     "Bättre belysning och konst som skolbarn målar.", "Invånare som går där."),
    ("Digitala nycklar", "Nycklarna till brukarnas dörrar tar lång tid att hämta och lämna.",
     "Digitala lås som öppnas med telefonen.", "Personalen och brukarna."),
    ("Gemensam kalender för lokaler", "Ingen vet vilka rum som är lediga.",
     "En bokningskalender för alla mötesrum.", "Alla som bokar möten."),
    ("Mindre matsvinn i skolköket", "Vi slänger mycket mat varje dag.",
     "Eleverna anmäler i appen om de äter lunch.", "Skolan och miljön."),
    ("Språkcafé för nyanlända", "Nyanlända kollegor har svårt att öva svenska.",
     "Ett språkcafé på lunchen en gång i veckan.", "Nya kollegor och arbetslaget."),
    ("Ståbord i receptionen", "Ryggen värker efter långa pass i receptionen.",
     "Höj- och sänkbara bord vid disken.", "Personalen i receptionen."),
    ("Sms-påminnelse om tider", "Många missar sina besökstider.",
     "Ett sms dagen innan varje bokad tid.", "Invånarna och handläggarna."),
    ("Återbruk av möbler", "Fungerande möbler slängs när enheter flyttar.",
     "En intern sida där enheter ger bort möbler.", "Kommunen och miljön."),
    ("Introduktion för vikarier", "Vikarier vet inte var saker finns.",
     "En kort film och en checklista för första dagen.", "Vikarier och brukare."),
    ("Enklare fakturagranskning", "Fakturor ligger länge i väntan på attest.",
     "Påminnelse till attestanten efter tre dagar.", "Leverantörer och ekonomi."),
    ("Utegym vid skolan", "Eleverna rör sig för lite på rasterna.",
     "Ett enkelt utegym på skolgården.", "Eleverna och grannarna."),
    ("Tystare matsal", "Det är så högt ljud i matsalen att barnen får ont i huvudet.",
     "Ljuddämpande plattor och mjuka stolstassar.", "Barnen och personalen."),
    ("Bilpool mellan förvaltningar", "Bilar står stilla halva dagen medan andra saknar bil.",
     "En gemensam bokning av tjänstebilar.", "Alla förvaltningar."),
    ("Färre pappersblanketter", "Vi skriver ut och skannar samma blanketter om och om igen.",
     "E-tjänster för de vanligaste blanketterna.", "Invånare och handläggare."),
    ("Lugnt rum för personalen", "Det finns ingenstans att vila en stund under passet.",
     "Ett litet vilrum med dämpad belysning.", "Personalen på boendet."),
    ("Snöröjning av cykelbanor först", "Cykelbanorna plogas sist och folk tar bilen.",
     "Plogordning där cykelbanor går före.", "Cyklister och skolbarn."),
    ("Gemensam telefonlista", "Det tar tid att hitta rätt person i andra enheter.",
     "En sökbar lista med vem som kan vad.", "Alla anställda."),
    ("Läxhjälp på biblioteket", "Många barn får ingen hjälp med läxorna hemma.",
     "Volontärer som hjälper till två eftermiddagar i veckan.", "Barnen och föräldrarna."),
    ("Solceller på förrådet", "Elräkningen för förrådet är hög.",
     "Solceller på förrådstaket.", "Kommunens ekonomi och klimatet."),
    ("Mentor för nyanställda", "Nyanställda slutar efter några månader.",
     "En erfaren kollega som mentor första halvåret.", "Nyanställda och arbetslaget."),
    ("Schemaönskemål i appen", "Schemaläggningen tar flera dagar varje månad.",
     "Personalen lägger sina önskemål i en app.", "Schemaläggare och personal."),
    ("Vattenflaskor istället för plastmuggar", "Vi använder tusentals plastmuggar i månaden.",
     "Egna flaskor och en vattenautomat.", "Miljön och ekonomin."),
    ("Gemensam städdag i parken", "Parken vid skolan är full av skräp.",
     "En städdag varje vår med elever och grannar.", "Grannar och elever."),
    ("Kortare möten", "Möten drar över tiden och arbetet blir liggande.",
     "Stående möten med en tydlig agenda på 15 minuter.", "Alla som går på möten."),
    ("Skyltar på flera språk", "Besökare hittar inte rätt i huset.",
     "Skyltar med symboler och på fler språk.", "Besökare och receptionen."),
    ("Hämtning av grovsopor", "Grovsopor ställs i trappuppgångar.",
     "En hämtdag i månaden som man bokar på webben.", "Hyresgäster och räddningstjänsten."),
    ("Digital anslagstavla", "Viktig information når inte alla som jobbar kväll.",
     "En skärm i personalrummet med dagens nyheter.", "Personal på alla pass."),
    ("Friskvård på arbetstid", "Många har ont i nacke och axlar.",
     "En halvtimmes träning i veckan på arbetstid.", "Personalen."),
)  # fmt: skip

N_EMPLOYEES = 300
N_IDEAS = 415
N_COORDINATORS = 6
COORDINATOR_NAMES = ("Maria Lind", "Olle Berg", "Fatima Said", "Johan Ek", "Eva Holm", "Ahmed Ali")
ADMIN = ("console:admin", "Karin Ström")
YEAR_START = datetime(2027, 1, 4, 7, 0, tzinfo=STOCKHOLM)  # a Monday, the first working day

# The hidden fates and their shares: each a list of steps (what the coordinator does).
FATES = (
    ("closed", 0.35),
    ("parked", 0.15),
    ("referred", 0.10),
    ("implemented", 0.40),
)
# Working days each step takes (lognormal: median, sigma), counted from the previous step.
STEP_DAYS = {
    "assessment": (3.0, 0.8),  # the first look
    "testing": (12.0, 0.7),
    "closed": (10.0, 0.8),
    "parked": (12.0, 0.7),
    "referred": (6.0, 0.8),
    "development": (25.0, 0.5),
    "implemented": (30.0, 0.5),
}
CLOSE_REASONS = (
    "Det finns redan en liknande lösning på gång i förvaltningen.",
    "Vi har inte budget för det i år, men tack för att du såg behovet.",
    "Det krockar med arbetsmiljöreglerna, och vi hittar ingen väg runt det.",
    "Vi har pratat med verksamheten och de vill prova en annan väg först.",
)
PARK_REASONS = (
    "Vi väntar på nästa års budget.",
    "Verksamheten har inte tid förrän omorganisationen är klar.",
    "Vi väntar på att upphandlingen blir klar.",
)
REFER_TO = ("Fastighetsavdelningen", "IT-enheten", "HR-avdelningen", "Gatukontoret")
WAITING_NOTES = (
    "Väntar på besked från verksamheten.",
    "Väntar på besked från ekonomi om kostnaden.",
    "Har mejlat enhetschefen, väntar på svar.",
    "Väntar på besked från fastighet.",
)


@dataclass(frozen=True)
class Employee:
    user: str  # "e017": console:e017
    name: str
    workplace: str

    @property
    def qualified(self) -> str:
        return f"console:{self.user}"


@dataclass(frozen=True)
class Coordinator:
    user: str  # "c1"
    name: str
    holidays: tuple[tuple[date, date], ...]  # first and last day away, inclusive
    leaves_at: datetime | None = None

    @property
    def qualified(self) -> str:
        return f"console:{self.user}"

    def away_on(self, day: date) -> tuple[date, date] | None:
        return next((h for h in self.holidays if h[0] <= day <= h[1]), None)


@dataclass(frozen=True)
class IdeaPlan:
    index: int  # 0-based, in submission order
    giver: Employee
    at: datetime  # when they start telling it
    title: str
    need: str
    description: str
    benefit: str
    fate: str
    steps: tuple[str, ...]  # the stages the coordinator will move it through


@dataclass(frozen=True)
class World:
    seed: int
    start: datetime
    end: datetime
    employees: tuple[Employee, ...]
    coordinators: tuple[Coordinator, ...]
    ideas: tuple[IdeaPlan, ...]
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)

    def draw(self, *key: object) -> random.Random:
        """The generator for one decision, the same in every run of this seed."""
        return random.Random("|".join(map(str, (self.seed, *key))))

    def staff(self) -> Staff:
        def period(first: date, last: date) -> Period:
            return Period(
                datetime.combine(first, time(0), STOCKHOLM).astimezone(UTC),
                datetime.combine(last + timedelta(days=1), time(0), STOCKHOLM).astimezone(UTC),
            )

        return Staff(
            coordinators=tuple(c.qualified for c in self.coordinators),
            admins=(ADMIN[0],),
            holidays={
                c.qualified: tuple(period(*h) for h in c.holidays) for c in self.coordinators
            },
            left_at={c.qualified: c.leaves_at for c in self.coordinators if c.leaves_at},
        )


def lognormal_days(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def _week_weight(week: int) -> float:
    if 27 <= week <= 32:
        return 0.2  # summer
    if week >= 51 or week == 1:
        return 0.3  # Christmas and New Year
    if 10 <= week <= 23 or 35 <= week <= 48:
        return 1.4  # spring and autumn
    return 1.0


def _steps(fate: str, rng: random.Random) -> tuple[str, ...]:
    if fate == "implemented":
        return ("assessment", "testing", "development", "implemented")
    if fate == "closed":
        return ("assessment", "closed") if rng.random() < 0.7 else ("closed",)
    if fate == "referred":
        return ("assessment", "referred") if rng.random() < 0.5 else ("referred",)
    return ("assessment", "parked")


def _working_week(start: date) -> tuple[date, date]:
    return start, start + timedelta(days=4)


def build_world(seed: int, *, days: int = 365, ideas: int = N_IDEAS) -> World:
    rng = random.Random(seed)
    cal = WorkingCalendar()
    start = YEAR_START
    end = start + timedelta(days=days)
    employees = tuple(
        Employee(
            f"e{n:03d}", f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", rng.choice(PLACES)
        )
        for n in range(1, N_EMPLOYEES + 1)
    )
    year = start.year
    coordinators = []
    for n, name in enumerate(COORDINATOR_NAMES, start=1):
        # Summer: 4–5 weeks starting in week 26–29 (so over by week 33); a week at Christmas.
        weeks = rng.choice((4, 5))
        first_week = rng.randint(26, 33 - weeks + 1)
        summer_start = date.fromisocalendar(year, first_week, 1)
        summer = (summer_start, summer_start + timedelta(weeks=weeks, days=-3))
        christmas = _working_week(date.fromisocalendar(year, rng.choice((51, 52)), 1))
        leaves = datetime(year, 10, 15, 17, 0, tzinfo=STOCKHOLM) if n == N_COORDINATORS else None
        holidays = (summer,) if leaves else (summer, christmas)
        coordinators.append(Coordinator(f"c{n}", name, holidays, leaves))
    # When the ideas are told: days weighted by season, mostly working days in office hours.
    day_list = [start.date() + timedelta(days=i) for i in range(days)]
    weights = [
        _week_weight(d.isocalendar()[1]) * (1.0 if cal.is_working_day(d) else 0.08)
        for d in day_list
    ]
    chosen = sorted(rng.choices(range(len(day_list)), weights=weights, k=ideas))
    # Some people tell several ideas, most one or none.
    giver_weights = [1.0 / (rank**0.8) for rank in range(1, N_EMPLOYEES + 1)]
    plans = []
    for index, day_index in enumerate(chosen):
        day = day_list[day_index]
        hour = rng.choice((8, 9, 9, 10, 10, 11, 13, 13, 14, 14, 15, 16, 19, 21))
        moment = datetime.combine(day, time(hour, rng.randint(0, 59)), STOCKHOLM)
        giver = rng.choices(employees, weights=giver_weights)[0]
        title, need, description, benefit = rng.choice(TOPICS)
        place = rng.choice((giver.workplace, rng.choice(PLACES)))
        fate = rng.choices([f for f, _ in FATES], weights=[w for _, w in FATES])[0]
        plans.append(
            IdeaPlan(
                index=index,
                giver=giver,
                at=moment.astimezone(UTC),
                title=f"{title} – {place}" if rng.random() < 0.6 else title,
                need=need,
                description=description,
                benefit=benefit,
                fate=fate,
                steps=_steps(fate, rng),
            )
        )
    return World(
        seed=seed,
        start=start.astimezone(UTC),
        end=end.astimezone(UTC),
        employees=employees,
        coordinators=tuple(coordinators),
        ideas=tuple(plans),
        calendar=cal,
    )
