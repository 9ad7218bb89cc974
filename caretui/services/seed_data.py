"""The word lists the synthetic caseload is drawn from (see ``services.seed``).

Every name here is a common given or family name, combined at random, so no
seeded record is a real person's. Towns, streets and organisations are made
up; phone numbers use the 555-0100..0199 range kept for fiction; e-mail
addresses use the example domains reserved by RFC 2606.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def _split(text: str) -> tuple[str, ...]:
    """ "a, b, c" -> ("a", "b", "c"): long word lists stay compact under the formatter."""
    return tuple(word.strip() for word in text.split(",") if word.strip())


def _pairs(text: str) -> dict[str, str]:
    """ "a=b, c=d" -> {"a": "b", "c": "d"}."""
    out: dict[str, str] = {}
    for pair in _split(text):
        key, value = pair.split("=", 1)
        out[key] = value
    return out


@dataclass(frozen=True)
class Culture:
    """Names that go together, and the language their bearers may prefer."""

    language: str
    weight: float
    #: Share of patients with these names who prefer ``language`` over English.
    speaks: float
    #: Share of those who need an interpreter.
    interpreter: float
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]
    #: Given name -> the name the patient likes to be called.
    preferred: dict[str, str] = field(default_factory=dict)


def _culture(
    language: str,
    weight: float,
    speaks: float,
    interpreter: float,
    female: str,
    male: str,
    family: str,
    preferred: str = "",
) -> Culture:
    return Culture(
        language,
        weight,
        speaks,
        interpreter,
        _split(female),
        _split(male),
        _split(family),
        _pairs(preferred),
    )


CULTURES: tuple[Culture, ...] = (
    _culture(
        "English",
        40,
        1.0,
        0.0,
        "Margaret, Dorothy, Patricia, Linda, Barbara, Susan, Karen, Nancy, Betty, Helen, Sandra,"
        " Donna, Carol, Ruth, Sharon, Michelle, Laura, Emily, Jessica, Ashley, Brittany, Kayla,"
        " Siobhán, Zoë, Renée, Chloé",
        "Robert, William, Richard, Thomas, Charles, Joseph, Donald, George, Kenneth, Edward,"
        " Ronald, Anthony, Kevin, Brian, Gary, Timothy, Jason, Tyler, Brandon, Seán, Noël",
        "Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor, Thomas,"
        " Moore, Martin, Thompson, White, Harris, Clark, Lewis, Walker, Hall, Young, King, Wright,"
        " Scott, Green, Baker, Adams, Campbell, O'Brien, O'Connor, McAllister, Brontë,"
        " Ó Súilleabháin, St. John, Fitzgerald-Hale",
        "Margaret=Peggy, Dorothy=Dot, Patricia=Pat, Barbara=Barb, Robert=Bob, William=Bill,"
        " Richard=Rick, Thomas=Tom, Charles=Chuck, Joseph=Joe, Edward=Ted, Anthony=Tony,"
        " Timothy=Tim, Susan=Sue",
    ),
    _culture(
        "Spanish",
        18,
        0.7,
        0.6,
        "María, Ana, Lucía, Sofía, Carmen, Rosa, Guadalupe, Inés, Beatriz, Ximena, Mónica,"
        " Verónica, Raquel, Dolores, Pilar, María José",
        "José, Jesús, Andrés, Luis, Juan Carlos, Ramón, Óscar, Ángel, Héctor, Raúl, Sebastián,"
        " Tomás, Joaquín, Martín, Rubén, Francisco",
        "Núñez, García, Hernández, Martínez, López, González, Pérez, Sánchez, Ramírez, Peña,"
        " Ibáñez, Muñoz, Gómez, Díaz, Rodríguez, Jiménez, Vázquez, Castañeda, Ordóñez,"
        " De la Cruz, Álvarez, Fernández Ruiz",
        "José=Pepe, Guadalupe=Lupe, Dolores=Lola, Jesús=Chuy, Francisco=Paco, María José=Majo,"
        " Ramón=Moncho",
    ),
    _culture(
        "Vietnamese",
        6,
        0.75,
        0.7,
        "Thị Lan, Thị Hương, Thảo, Ngọc Anh, Thị Mai, Phương, Thu Trang",
        "Văn Minh, Đức, Quang, Văn Hùng, Tuấn, Hoàng, Văn Bảo",
        "Nguyễn, Trần, Lê, Phạm, Huỳnh, Võ, Đặng, Bùi, Đỗ, Hồ",
        "Thị Lan=Lan, Thị Hương=Hương, Văn Minh=Minh, Văn Hùng=Hùng",
    ),
    _culture(
        "Mandarin",
        4,
        0.8,
        0.75,
        "秀英, 丽, 静, 敏, 华, 婷, 芳, 玉兰",
        "伟, 磊, 强, 军, 杰, 建国, 志明, 浩",
        "李, 王, 张, 刘, 陈, 杨, 黄, 赵, 周, 吴",
        "华=Hua, 伟=Wei, 静=Jing, 磊=Lei, 婷=Tina",
    ),
    _culture(
        "Mandarin",
        3,
        0.5,
        0.5,
        "Xiuying, Li, Jing, Min, Hua, Ting, Fang, Yulan",
        "Wei, Lei, Qiang, Jun, Jie, Jianguo, Zhiming, Hao",
        "Li, Wang, Zhang, Liu, Chen, Yang, Huang, Zhao, Zhou, Wu",
    ),
    _culture(
        "Arabic",
        3,
        0.7,
        0.65,
        "فاطمة, مريم, عائشة, ليلى, نور, سارة, هدى",
        "محمد, أحمد, علي, يوسف, عمر, خالد, حسن",
        "حداد, خوري, منصور, العلي, سليمان, نصر, الحسيني",
        "محمد=Mo, يوسف=Joe",
    ),
    _culture(
        "Arabic",
        3,
        0.5,
        0.5,
        "Fatima, Maryam, Aisha, Layla, Nour, Sara, Huda",
        "Mohammed, Ahmed, Ali, Youssef, Omar, Khaled, Hassan",
        "Haddad, Khoury, Mansour, Al-Ali, Suleiman, Nasr, El-Masri",
        "Mohammed=Mo",
    ),
    _culture(
        "Russian",
        4,
        0.7,
        0.6,
        "Екатерина, Ольга, Наталья, Татьяна, Людмила, Светлана, Анна",
        "Иван, Сергей, Алексей, Дмитрий, Николай, Владимир, Михаил",
        "Иванов, Смирнов, Кузнецов, Попов, Соколов, Волков, Морозов",
        "Екатерина=Катя, Иван=Ваня, Алексей=Лёша, Дмитрий=Дима",
    ),
    _culture(
        "Polish",
        4,
        0.55,
        0.45,
        "Małgorzata, Agnieszka, Zofia, Katarzyna, Jadwiga, Bożena, Ewa",
        "Łukasz, Paweł, Wojciech, Grzegorz, Jerzy, Stanisław, Tomasz",
        "Kowalski, Wiśniewski, Wójcik, Łuczak, Dąbrowski, Zieliński, Szymański, Woźniak,"
        " Kaczmarek, Król",
        "Małgorzata=Gosia, Katarzyna=Kasia, Łukasz=Luke, Paweł=Paul",
    ),
    _culture(
        "Greek",
        3,
        0.6,
        0.5,
        "Σοφία, Μαρία, Ελένη, Αικατερίνη, Δήμητρα, Βασιλική",
        "Γιώργος, Δημήτρης, Κωνσταντίνος, Νίκος, Παναγιώτης, Βασίλης",
        "Παπαδόπουλος, Νικολάου, Γεωργίου, Οικονόμου, Αλεξίου, Μαυρίδης",
        "Σοφία=Sophie, Κωνσταντίνος=Gus, Αικατερίνη=Κατερίνα",
    ),
    _culture(
        "Turkish",
        3,
        0.6,
        0.5,
        "Ayşe, Fatma, Emine, Hatice, Zeynep, Elif, Gülşen",
        "Mehmet, Mustafa, Ahmet, Hüseyin, İbrahim, Çağrı, Oğuz",
        "Öztürk, Yılmaz, Kaya, Demir, Şahin, Çelik, Yıldız, Aydın",
    ),
    _culture(
        "Haitian Creole",
        3,
        0.6,
        0.55,
        "Marie-Ange, Rose-Guerline, Fabienne, Nadège, Widline, Mirlande",
        "Jean-Baptiste, Wilner, Fritznel, Jean-Robert, Frantz, Ronel",
        "Joseph, Pierre, Louis, Jean-Louis, Désir, Célestin, Étienne",
    ),
    _culture(
        "Portuguese",
        3,
        0.6,
        0.5,
        "Conceição, Graça, Fernanda, Luísa, Mariana, Antónia",
        "João, António, Gonçalo, Sérgio, Vítor, Zé Carlos",
        "Gonçalves, Araújo, Simões, Magalhães, Brandão, Figueiredo",
        "Conceição=São, António=Tó, Graça=Gracinha",
    ),
    _culture(
        "Korean",
        2,
        0.65,
        0.6,
        "지영, 민지, 서연, 영희, 수진",
        "민준, 서준, 영수, 성민, 재현",
        "김, 이, 박, 최, 정",
    ),
    _culture(
        "Somali",
        1,
        0.7,
        0.65,
        "Hodan, Faduma, Sahra, Hawa, Ubah",
        "Abdirahman, Mahad, Abdullahi, Liban, Farah",
        "Warsame, Jama, Abdi, Osman, Hersi, Mohamud",
    ),
)


#: Made-up towns and streets for addresses and organisation names.
TOWNS = _split(
    "Lakeshire, Maple Hollow, Cedar Bend, Harrowgate, Brindle Falls, North Quillan, Eastmere,"
    " Wrenfield, Stonebridge Vale, Ashcombe, Pellham Cross, Fernwick"
)
STREETS = _split(
    "Juniper Hollow Road, Marigold Lane, Tinker's Way, Orchard Row, Lantern Street, Kestrel Avenue,"
    " Bramblewood Drive, Copperleaf Court, Saltmarsh Road, Thistle Street, Quarry Lane, Heron Way,"
    " Pinecrest Terrace, Willowmere Avenue, Calle del Colibrí, Avenida Los Álamos,"
    " Rue des Églantiers, Lindqvist Place, Old Mill Road, Gristmill Court"
)
STATE = "MA"
#: Area codes for the fictional 555-01xx numbers.
AREA_CODES = ("413", "508", "617", "774", "781", "978")
EMAIL_DOMAINS = ("example.org", "example.net", "example.com")
INSURANCE_PREFIXES = ("MCR", "MCD", "ZQH", "BLX", "HNE", "TUF")

#: Caregiver's relationship to the patient, weight, and the caregiver's gender if it says.
RELATIONSHIPS: tuple[tuple[tuple[str, str], float], ...] = (
    (("Daughter", "female"), 6),
    (("Son", "male"), 5),
    (("Spouse", ""), 6),
    (("Partner", ""), 2),
    (("Sister", "female"), 2),
    (("Brother", "male"), 1),
    (("Niece", "female"), 1),
    (("Grandson", "male"), 1),
    (("Neighbour", ""), 1),
    (("Friend", ""), 1),
    (("Legal guardian", ""), 0.5),
)
#: Relatives who usually share the patient's family name.
FAMILY = frozenset({"Daughter", "Son", "Spouse", "Sister", "Brother", "Grandson"})

#: Specialty, the clinic's name pattern ({town} is filled in).
SPECIALTIES = (
    ("Cardiology", "{town} Heart Associates"),
    ("Endocrinology", "{town} Diabetes & Endocrine Center"),
    ("Pulmonology", "{town} Lung Clinic"),
    ("Nephrology", "{town} Kidney Care"),
    ("Psychiatry", "{town} Behavioral Health"),
    ("Orthopedics", "{town} Bone & Joint"),
    ("Neurology", "{town} Neurology Group"),
    ("Podiatry", "{town} Foot & Ankle"),
)

#: Problem name, weight (share of patients, roughly), medications that treat it.
#: A medication: name, doses, route, frequency.
Med = tuple[str, tuple[str, ...], str, str]
PROBLEMS: tuple[tuple[str, float, tuple[Med, ...]], ...] = (
    (
        "Hypertension",
        50,
        (
            ("Lisinopril", ("10 mg", "20 mg", "40 mg"), "oral", "once daily"),
            ("Amlodipine", ("5 mg", "10 mg"), "oral", "once daily"),
            ("Losartan", ("50 mg", "100 mg"), "oral", "once daily"),
            ("Hydrochlorothiazide", ("12.5 mg", "25 mg"), "oral", "once daily in the morning"),
        ),
    ),
    (
        "Hyperlipidemia",
        35,
        (
            ("Atorvastatin", ("20 mg", "40 mg", "80 mg"), "oral", "once daily at bedtime"),
            ("Rosuvastatin", ("10 mg", "20 mg"), "oral", "once daily"),
        ),
    ),
    (
        "Type 2 diabetes",
        30,
        (
            ("Metformin", ("500 mg", "1000 mg"), "oral", "twice daily with meals"),
            (
                "Insulin glargine",
                ("10 units", "18 units", "32 units"),
                "subcutaneous",
                "at bedtime",
            ),
            ("Empagliflozin", ("10 mg", "25 mg"), "oral", "once daily"),
            ("Glipizide", ("5 mg", "10 mg"), "oral", "once daily before breakfast"),
        ),
    ),
    (
        "Chronic kidney disease, stage 3",
        12,
        (("Calcitriol", ("0.25 mcg",), "oral", "once daily"),),
    ),
    (
        "COPD",
        12,
        (
            ("Tiotropium", ("18 mcg",), "inhaled", "once daily"),
            ("Albuterol HFA", ("90 mcg, 2 puffs",), "inhaled", "every 4-6 hours as needed"),
            ("Fluticasone/salmeterol", ("250/50 mcg",), "inhaled", "twice daily"),
        ),
    ),
    (
        "Heart failure",
        10,
        (
            ("Furosemide", ("20 mg", "40 mg"), "oral", "once daily in the morning"),
            ("Carvedilol", ("6.25 mg", "12.5 mg", "25 mg"), "oral", "twice daily with food"),
            ("Sacubitril/valsartan", ("24/26 mg", "49/51 mg"), "oral", "twice daily"),
            ("Spironolactone", ("25 mg",), "oral", "once daily"),
        ),
    ),
    (
        "Depression",
        20,
        (
            ("Sertraline", ("50 mg", "100 mg"), "oral", "once daily"),
            ("Escitalopram", ("10 mg", "20 mg"), "oral", "once daily"),
            ("Bupropion XL", ("150 mg", "300 mg"), "oral", "once daily in the morning"),
        ),
    ),
    (
        "Generalized anxiety disorder",
        10,
        (("Buspirone", ("10 mg", "15 mg"), "oral", "twice daily"),),
    ),
    (
        "Atrial fibrillation",
        8,
        (
            ("Apixaban", ("2.5 mg", "5 mg"), "oral", "twice daily"),
            ("Metoprolol succinate", ("25 mg", "50 mg"), "oral", "once daily"),
        ),
    ),
    (
        "Osteoarthritis of knee",
        18,
        (
            ("Acetaminophen", ("500 mg", "650 mg"), "oral", "every 6 hours as needed"),
            ("Diclofenac 1% gel", ("4 g",), "topical", "four times daily to the knee"),
        ),
    ),
    (
        "Hypothyroidism",
        10,
        (("Levothyroxine", ("50 mcg", "75 mcg", "100 mcg"), "oral", "daily before breakfast"),),
    ),
    (
        "GERD",
        12,
        (("Omeprazole", ("20 mg", "40 mg"), "oral", "once daily before breakfast"),),
    ),
    (
        "Asthma",
        7,
        (
            ("Budesonide/formoterol", ("160/4.5 mcg, 2 puffs",), "inhaled", "twice daily"),
            ("Albuterol HFA", ("90 mcg, 2 puffs",), "inhaled", "as needed for wheeze"),
        ),
    ),
    (
        "Dementia, mild",
        5,
        (("Donepezil", ("5 mg", "10 mg"), "oral", "once daily at bedtime"),),
    ),
    ("Obesity", 15, ()),
    (
        "Chronic low back pain",
        10,
        (("Gabapentin", ("300 mg",), "oral", "three times daily"),),
    ),
    (
        "Opioid use disorder, in remission",
        2,
        (("Buprenorphine/naloxone", ("8/2 mg",), "sublingual", "once daily"),),
    ),
    ("History of falls", 6, (("Vitamin D3", ("1000 units",), "oral", "once daily"),)),
    ("Food insecurity", 6, ()),
    ("Housing instability", 4, ()),
)

#: Medications anyone may take, besides those for their problems.
COMMON_MEDS: tuple[Med, ...] = (
    ("Aspirin", ("81 mg",), "oral", "once daily"),
    ("Vitamin D3", ("1000 units", "2000 units"), "oral", "once daily"),
    ("Docusate", ("100 mg",), "oral", "twice daily as needed"),
    ("Melatonin", ("3 mg",), "oral", "at bedtime as needed"),
    ("Tamsulosin", ("0.4 mg",), "oral", "once daily after supper"),
    ("Ferrous sulfate", ("325 mg",), "oral", "once daily"),
)

STOP_REASONS = (
    "Side effects: dizziness",
    "Side effects: cough",
    "Replaced by a combination tablet",
    "Stopped by cardiology",
    "No longer needed",
    "Cost: not covered by plan",
    "Patient preference",
    "Course finished",
)

#: Substance, usual reaction, usual criticality.
ALLERGIES = (
    ("Penicillin", "Hives", "high"),
    ("Sulfa drugs", "Rash", "low"),
    ("Codeine", "Nausea and vomiting", "low"),
    ("Latex", "Contact dermatitis", "low"),
    ("Peanuts", "Anaphylaxis", "high"),
    ("Shellfish", "Throat swelling", "high"),
    ("Aspirin", "Bronchospasm", "high"),
    ("Iodinated contrast", "Hives", "unable-to-assess"),
    ("Lisinopril", "Angioedema", "high"),
    ("Morphine", "Itching", "low"),
    ("Eggs", "Rash", "low"),
    ("Bee stings", "Anaphylaxis", "high"),
    ("Ibuprofen", "Stomach upset", "low"),
    ("Cephalexin", "Rash", "unable-to-assess"),
)

#: Care plan title, then goals (description, measure), then interventions (what, by whom).
#: ``PLAN_FOR`` names the problems a plan addresses; plans not in it suit anyone.
#: "PCP" and "caregiver" as performers are replaced by the patient's own.
CARE_PLANS: tuple[tuple[str, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]], ...] = (
    (
        "Diabetes self-management",
        (
            ("A1c below 8% by the next lab draw", "A1c < 8%"),
            ("Check blood sugar every morning and bring the log to visits", "Days logged per week"),
            ("Walk 15 minutes five days a week", "Days walked per week"),
        ),
        (
            ("Enrol in the diabetes education class", "Care coordinator"),
            ("Review glucose log on each weekly call", "Care coordinator"),
            ("Order a new glucometer and test strips", "PCP"),
        ),
    ),
    (
        "Heart failure: stay out of hospital",
        (
            ("Weigh daily and call if up 2 lb in a day or 5 lb in a week", "Daily weights logged"),
            ("No heart failure readmission in 90 days", "Readmissions"),
            ("Keep salt under 2 g a day", "Food diary reviewed"),
        ),
        (
            ("Provide a scale and a weight log", "Care coordinator"),
            ("Home health nursing visits twice a week", "Home health nurse"),
            ("Medication review with the pharmacist", "Pharmacist"),
        ),
    ),
    (
        "Blood pressure control",
        (
            ("Home blood pressure under 140/90", "Home BP < 140/90"),
            ("Take blood pressure medicine every day", "Refills on time"),
        ),
        (
            ("Provide a home blood pressure cuff and log", "Care coordinator"),
            ("Send the log to the PCP every month", "Caregiver"),
        ),
    ),
    (
        "COPD action plan",
        (
            ("No emergency visits for breathing in 90 days", "ED visits"),
            ("Use the inhaler correctly (teach-back)", "Technique checked"),
        ),
        (
            ("Teach-back on inhaler technique", "Pharmacist"),
            ("Pulmonary rehabilitation referral", "PCP"),
            ("Written action plan on the fridge", "Care coordinator"),
        ),
    ),
    (
        "Medication adherence",
        (
            ("Take medicines as prescribed, using a pill organiser", "Missed doses per week"),
            ("All refills picked up on time", "Refills on time"),
        ),
        (
            ("Weekly pill organiser fill", "Caregiver"),
            ("Switch to blister packs with home delivery", "Pharmacist"),
            ("Medication reconciliation after each visit", "Care coordinator"),
        ),
    ),
    (
        "Fall prevention",
        (
            ("No falls in the next 3 months", "Falls reported"),
            ("Use the walker indoors and out", "Observed at visits"),
        ),
        (
            ("Home safety evaluation", "Home health nurse"),
            ("Physical therapy for balance", "Physical therapist"),
            ("Grab bars installed in the bathroom", "Caregiver"),
        ),
    ),
    (
        "Depression follow-up",
        (
            ("PHQ-9 below 10", "PHQ-9 < 10"),
            ("Attend counselling every two weeks", "Sessions attended"),
        ),
        (
            ("Referral to behavioral health", "PCP"),
            ("Monthly PHQ-9 by phone", "Care coordinator"),
        ),
    ),
    (
        "Transition from hospital",
        (
            ("Seen by the PCP within 7 days of discharge", "Days to visit"),
            ("Understands the new medication list", "Teach-back done"),
        ),
        (
            ("Call within 2 days of discharge", "Care coordinator"),
            ("Book the post-discharge visit", "Care coordinator"),
            ("Reconcile discharge medications", "Pharmacist"),
        ),
    ),
    (
        "Social needs: food and housing",
        (
            ("Enrolled in home-delivered meals", "Meals started"),
            ("Stable housing within 6 months", "Housing status"),
            ("Fuel assistance application submitted", "Application sent"),
        ),
        (
            ("Apply for home-delivered meals", "Community health worker"),
            ("Housing authority application", "Social worker"),
            ("Help with fuel assistance forms", "Community health worker"),
        ),
    ),
)

PLAN_FOR: dict[str, tuple[str, ...]] = {
    "Diabetes self-management": ("Type 2 diabetes",),
    "Heart failure: stay out of hospital": ("Heart failure",),
    "Blood pressure control": ("Hypertension", "Chronic kidney disease, stage 3"),
    "COPD action plan": ("COPD", "Asthma"),
    "Fall prevention": ("History of falls", "Osteoarthritis of knee", "Dementia, mild"),
    "Depression follow-up": ("Depression", "Generalized anxiety disorder"),
    "Social needs: food and housing": ("Food insecurity", "Housing instability"),
}

#: Appointment purpose, who with ("PCP", "specialist", or a name), where, share
#: of recurring ones and their RRULE.
APPOINTMENTS: tuple[tuple[str, str, str, float, str | None], ...] = (
    ("Follow-up visit", "PCP", "{town} Family Health, Suite 200", 0, None),
    ("Annual wellness visit", "PCP", "{town} Family Health, Suite 200", 0, None),
    ("Post-discharge visit", "PCP", "{town} Family Health, Suite 200", 0, None),
    ("Medication review", "Clinical pharmacist", "Telehealth (video)", 0, None),
    ("Diabetes check and A1c", "PCP", "{town} Family Health, Suite 200", 0, None),
    ("Specialist follow-up", "specialist", "{clinic}", 0, None),
    ("Echocardiogram", "Cardiac imaging", "{town} Community Hospital, Imaging", 0, None),
    ("Blood draw", "Lab", "Harbor Diagnostics, {town}", 0, None),
    ("Eye exam (diabetic)", "Optometry", "{town} Eye Care", 0, None),
    ("Physical therapy", "Physical therapist", "{town} Rehab & Balance", 0.7, "FREQ=WEEKLY"),
    (
        "Counselling session",
        "Behavioral health clinician",
        "Telehealth (video)",
        0.6,
        "FREQ=WEEKLY;INTERVAL=2",
    ),
    ("INR check", "Anticoagulation clinic", "{town} Community Hospital", 0.8, "FREQ=MONTHLY"),
    ("Wound care", "Wound clinic nurse", "{town} Wound Center", 0.6, "FREQ=WEEKLY"),
    ("Diabetes education class", "Diabetes educator", "{town} Senior Center", 0.5, "FREQ=WEEKLY"),
    ("Home visit: safety check", "Care coordinator", "Patient's home", 0, None),
    ("Care plan review", "Care coordinator", "Patient's home", 0.3, "FREQ=MONTHLY;INTERVAL=3"),
)

APPOINTMENT_OUTCOMES = {
    "fulfilled": (
        "Seen; plan unchanged.",
        "Seen; medication dose adjusted, new list sent to pharmacy.",
        "Seen; labs ordered, results in a week.",
        "Seen; follow-up in 3 months.",
        "Attended with caregiver; questions answered.",
    ),
    "noshow": (
        "Did not attend; no call. Rebook.",
        "No-show: transport did not arrive.",
        "Did not attend; patient forgot. Reminder calls set up.",
    ),
    "cancelled": (
        "Cancelled by patient: feeling unwell.",
        "Clinic cancelled; rebooking.",
        "Cancelled: patient in hospital.",
        "Cancelled by caregiver: schedule conflict.",
    ),
}

TRANSPORT_ARRANGED = (
    "MedRide van, pickup {pickup} at home",
    "Wheelchair van booked, pickup {pickup}",
    "Daughter driving",
    "Volunteer driver, pickup {pickup}",
    "Taxi voucher issued; pickup {pickup}",
    "Bus pass; route 12 stops outside",
)
TRANSPORT_NEEDED = ("Needs wheelchair van", "Cannot drive after eye drops", "No car")

#: Task templates: queue, origin, title, RRULE, what the task links to.
#: Link: "" nothing, "med" an active medication (title has {med}); "past" (attended),
#: "missed" or "future": one of the patient's appointments (title has {purpose}).
TASKS: tuple[tuple[str, str, str, str | None, str], ...] = (
    ("calls", "manual", "Weekly well-being call", "FREQ=WEEKLY", ""),
    ("calls", "manual", "Call to confirm appointment: {purpose}", None, "future"),
    ("calls", "manual", "Return voicemail", None, ""),
    ("calls", "follow-up", "Check in after hospital discharge", None, ""),
    ("calls", "manual", "Call caregiver about support at home", None, ""),
    ("calls", "manual", "Review home blood pressure log by phone", "FREQ=MONTHLY", ""),
    ("calls", "outreach", "Outreach: no contact for 30 days", None, ""),
    ("calls", "outreach", "Try a new number from the pharmacy", None, ""),
    ("calls", "refill", "Remind about refill: {med}", None, "med"),
    ("referrals", "referral", "Chase referral response", None, ""),
    ("referrals", "manual", "Send referral to specialist", None, ""),
    ("referrals", "referral", "Fax records for referral", None, ""),
    ("referrals", "referral", "Confirm referral was received", None, ""),
    ("referrals", "manual", "Book intake with home health agency", None, ""),
    ("paperwork", "manual", "Scan signed consent form", None, ""),
    ("paperwork", "manual", "Update medication list after visit: {purpose}", None, "past"),
    ("paperwork", "plan-review", "Care plan review", "FREQ=MONTHLY;INTERVAL=3", ""),
    ("paperwork", "plan-review", "Update care plan goals", None, ""),
    ("paperwork", "manual", "Complete home-health recertification form", None, ""),
    ("paperwork", "refill", "Refill request to prescriber: {med}", None, "med"),
    ("paperwork", "manual", "Disability parking placard form", None, ""),
    ("insurance", "manual", "Check eligibility for new plan year", None, ""),
    ("insurance", "manual", "Appeal denied prior authorisation", None, ""),
    ("insurance", "manual", "Help with Medicaid renewal", None, ""),
    ("insurance", "manual", "Verify transport benefit", None, ""),
    ("insurance", "refill", "Prior authorisation for {med}", None, "med"),
    ("follow-up", "follow-up", "Follow up after appointment: {purpose}", None, "past"),
    ("follow-up", "follow-up", "Follow up on lab results", None, ""),
    ("follow-up", "follow-up", "Follow up after ED visit", None, ""),
    ("follow-up", "follow-up", "Rebook missed appointment: {purpose}", None, "missed"),
    ("follow-up", "manual", "Check fall-prevention plan progress", None, ""),
    ("follow-up", "manual", "Fortnightly pill organiser check", "FREQ=WEEKLY;INTERVAL=2", ""),
    ("follow-up", "import", "Imported from EHR: follow up on referral", None, ""),
)

#: Tasks of the coordinator's own, about no patient.
UNASSIGNED_TASKS: tuple[tuple[str, str, str | None], ...] = (
    ("paperwork", "Prepare the monthly caseload report", "FREQ=MONTHLY"),
    ("paperwork", "Update resource directory entries", None),
    ("calls", "Verify food pantry holiday hours", None),
    ("paperwork", "Renew CPR certification", None),
    ("insurance", "Read the new plan-year benefit summaries", None),
    ("referrals", "Meet the new home health agency liaison", None),
    ("follow-up", "Team huddle: high-risk patients", "FREQ=WEEKLY"),
    ("paperwork", "Order pill organisers and weight logs", None),
)

TASK_DETAILS = (
    "Patient prefers calls after 10am.",
    "Caregiver is the best contact; patient is hard of hearing.",
    "Use the interpreter line.",
    "See last note for context.",
    "Fax number on file at the clinic is out of date; call first.",
    "Ask about the new inhaler too.",
)

#: Note texts by kind, then by outcome for outreach ("" when there is none).
NOTE_TEXTS = {
    ("call", "reached"): (
        "Spoke with patient. Reviewed medications; no concerns.",
        "Caregiver reports a good week; appetite better.",
        "Patient asked about a ride to the next visit; transport arranged.",
        "Reviewed blood pressure log: readings 128-142 / 78-88.",
        "Patient had a fall last week, no injury; home safety visit offered.",
        "Discussed the new diuretic dose; weight stable.",
    ),
    ("call", "voicemail"): (
        "Left voicemail asking for a call back.",
        "Left a message with the reason for the call and my number.",
    ),
    ("call", "no-answer"): (
        "No answer; will try again tomorrow.",
        "Rang out, no voicemail set up.",
    ),
    ("call", "wrong-number"): ("Number reached someone else; asked the pharmacy for the new one.",),
    ("call", "declined"): ("Patient did not want to talk today; asked to call next week.",),
    ("message", "reached"): (
        "Reminder sent for the upcoming appointment; patient replied to confirm.",
        "Sent the food pantry hours; caregiver thanked.",
    ),
    ("message", "voicemail"): ("Portal message sent; no reply yet.",),
    ("message", "no-answer"): ("Text reminder sent; no reply.",),
    ("message", "wrong-number"): ("Text bounced back: number not in service.",),
    ("message", "declined"): ("Patient replied asking to stop texts; phone calls only.",),
    ("visit", ""): (
        "Home visit: pill organiser filled correctly, fridge stocked, no fall hazards seen.",
        "Home visit with the caregiver; reviewed the care plan and the new walker.",
        "Clinic visit alongside patient; interpreter present.",
        "Home visit: scale set up, taught daily weights.",
    ),
    ("note", ""): (
        "Received discharge summary from hospital; updated problem list.",
        "Pharmacy confirmed blister packs start next week.",
        "Prior authorisation approved for 12 months.",
        "Referral received by the agency; intake pending.",
        "Lab results in: A1c 7.9%.",
    ),
}

#: Resource categories: weight, name patterns, eligibility, hours.
RESOURCE_NAMES = {
    "food": (
        "{town} Community Food Pantry",
        "Home-Delivered Meals of {town}",
        "{town} Senior Lunch Program",
        "Harvest Table Mobile Market ({town})",
    ),
    "housing": (
        "{town} Housing Authority",
        "Safe Harbor Emergency Shelter, {town}",
        "{town} Tenant Help Line",
        "Home Repair for Elders, {town}",
    ),
    "transport": (
        "{town} Medical Rides",
        "Dial-a-Ride {town}",
        "{town} Volunteer Driver Program",
        "Wheelchair Van Service of {town}",
    ),
    "home-health": (
        "{town} Visiting Nurses",
        "Compass Home Care, {town}",
        "{town} Personal Care Aides",
    ),
    "mental-health": (
        "{town} Counseling Center",
        "{town} Peer Recovery Hub",
        "Crisis Line of {town} County",
    ),
    "financial": (
        "{town} Benefits Enrollment Center",
        "{town} Fuel Assistance Office",
        "Prescription Help Desk, {town}",
    ),
    "specialist": (
        "{town} Heart Associates",
        "{town} Lung Clinic",
        "{town} Kidney Care",
        "{town} Diabetes & Endocrine Center",
    ),
    "pharmacy": (
        "{town} Pharmacy",
        "{town} Apothecary & Blister Packs",
        "Corner Drug of {town}",
    ),
    "other": (
        "{town} Legal Aid for Seniors",
        "{town} Senior Center",
        "{town} Adult Day Health",
        "{town} Caregiver Support Group",
    ),
}
RESOURCE_HOURS = (
    "Mon-Fri 9:00-17:00",
    "Mon, Wed, Fri 10:00-14:00",
    "24 hours, 7 days",
    "Tue & Thu 13:00-16:00; Sat 9:00-12:00",
    "Mon-Sat 8:00-20:00",
    "By appointment",
)
RESOURCE_ELIGIBILITY = (
    "Adults 60 and over living in the county",
    "Household income under 200% of the federal poverty level",
    "MassHealth members",
    "Anyone; photo ID requested",
    "Referral from a clinician required",
    "Veterans and their families",
    "Homebound patients with a skilled need",
)
RESOURCE_LANGUAGES = (
    "English",
    "English, Spanish",
    "English, Vietnamese, Mandarin",
    "English, Portuguese, Haitian Creole",
    "English, Russian, Polish",
    "English, Arabic, Somali",
    "English; interpreter line for others",
)
RESOURCE_NOTES = (
    "Ask for the intake coordinator.",
    "Fax referrals; they do not read e-mail.",
    "Waiting list about 3 weeks.",
    "Closed on public holidays.",
)

#: Why a referral goes to a resource of each category.
REFERRAL_REASONS = {
    "food": ("Home-delivered meals: lives alone, cannot shop", "Food pantry enrolment"),
    "housing": ("Rent arrears; at risk of eviction", "Home repairs: broken heating"),
    "transport": ("Rides to dialysis three times a week", "Wheelchair van for visits"),
    "home-health": ("Skilled nursing after hospital stay", "Personal care aide for bathing"),
    "mental-health": ("Counselling for depression", "Peer support for recovery"),
    "financial": ("Help with fuel assistance application", "Medicare Savings Program"),
    "specialist": ("New heart murmur; cardiology opinion", "Worsening kidney function"),
    "pharmacy": ("Blister packs and home delivery", "Medication therapy review"),
    "other": ("Legal aid: guardianship paperwork", "Caregiver support group"),
}
REFERRAL_OUTCOMES = {
    "completed": (
        "Seen; recommendations sent to the PCP",
        "Service started",
        "Enrolled; first delivery done",
    ),
    "declined": (
        "Not eligible: income above the limit",
        "Agency has no capacity in this area",
        "Patient declined the service",
    ),
    "cancelled": (
        "Patient no longer wanted the service",
        "Need met another way",
        "Patient moved out of area",
    ),
}
#: The short note of each step of a referral (who confirmed it, how).
REFERRAL_STEP_NOTES = {
    "sent": ("Faxed with the intake form", "Sent through the portal", "E-mailed the referral form"),
    "accepted": (
        "Confirmed by phone with intake",
        "Acceptance letter received",
        "Portal says accepted",
    ),
    "scheduled": ("Date given by the front desk", "Patient booked it herself", "Booked by phone"),
    "completed": ("Report received", "Confirmed with the patient", "Provider called back"),
    "declined": ("Letter of decline received", "Told by phone at intake"),
    "cancelled": ("Patient asked to stop", "No longer needed"),
}
SPECIALIST_REASONS = (
    "worsening symptoms despite treatment",
    "second opinion on the treatment plan",
    "new findings on recent tests",
    "medication review",
)
CAREGIVER_NOTES = ("Lives with patient.", "Has a key.", "Works days; text first.")
