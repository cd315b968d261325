# A table: one entity a line reads better than one spelling a line.
# ruff: noqa: E501
"""The typed part of the alias tables: what CLDR (through babel) does not know.

Country names in sixteen languages come from CLDR at run time (see
:mod:`monitor.dedup.aliases`); typed here are the organisations, the cities
news mentions (capitals of Europe and of the G20, places of current
conflicts), a few people whose names transliteration cannot unify
(``Selenskyj``/``Zelensky``, ``Poutine``/``Putin``), the demonyms of the main
countries and extra country names CLDR does not give (``EE.UU.``,
``Großbritannien``).  This is general knowledge, not tuned to any article.

Spellings are written as a reader would see them; the builder folds them
(case, diacritics, script) exactly as article words are folded.  ``{a,b}``
expands to one spelling per alternative (``russ{o,a}`` is ``russo``,
``russa``), which keeps inflected demonyms short.  Single words in Cyrillic
and Greek get their common case forms by rule, so ``Москвы`` and ``Ρωσίας``
need not be typed.
"""

from __future__ import annotations

# CLDR locales whose territory names are aliases.
LOCALES = (
    "en",
    "de",
    "es",
    "it",
    "fr",
    "nl",
    "pt",
    "ro",
    "el",
    "ru",
    "cs",
    "da",
    "tr",
    "id",
    "pl",
    "sv",
)

# Keys are derived from CLDR's English name; these are fixed by hand where that
# name is long, carries punctuation or has changed over CLDR versions, so that
# keys stay stable when babel is upgraded.
KEY_OVERRIDES = {
    "TR": "turkey",
    "CZ": "czechia",
    "CI": "ivory_coast",
    "MM": "myanmar",
    "HK": "hong_kong",
    "MO": "macao",
    "PS": "palestine",
    "VA": "vatican",
    "CD": "dr_congo",
    "CG": "congo",
    "MK": "north_macedonia",
    "CV": "cape_verde",
    "SZ": "eswatini",
    "TL": "timor_leste",
}

# Territories left out: pseudo-locales and unknowns, and Réunion, whose name
# is Spanish for "meeting" ("la reunión de la OTAN").
EXCLUDED_TERRITORIES = frozenset({"QO", "XA", "XB", "ZZ", "RE"})

# Folded single words that are common words in one of the languages: never
# an alias on their own ("island" is Iceland in German, "ira" is "will go" in
# Portuguese, "oma" a German grandmother).
AMBIGUOUS = frozenset({"reunion", "island", "ira", "fas", "cad", "oma", "jersey", "sark", "cin"})

# Words that name an entity only when written in capitals ("US" but not "us",
# "EU" but not Portuguese "eu", "UN" but not French "un") or capitalised
# ("Usa" in Italian, not the verb "usa"; "Mali", not Italian "mali").  Keys
# are folded but not transliterated, so Cyrillic "ЕС" is not Latin "ES".
UPPER_ONLY = frozenset(
    {"us", "uk", "eu", "un", "uno", "vn", "vs", "sua", "abd", "who", "ес", "εε", "ηπα", "οηε"}
)
CAPITALISED_ONLY = frozenset({"usa", "mali", "togo", "indie", "suede", "aia", "polish", "chad"})

# Names that are also common lowercase words: written as words ("nato" is
# Italian for born, "rubio" Spanish for blond, "mosca" a fly, "haga" Spanish
# for "do", "seul" French for alone), they count only capitalised when the
# original spelling is known (resolve_tokens); folded text keeps them.
NEEDS_CAPITAL = frozenset(
    {
        "nato",
        "rubio",
        "trump",
        "china",
        "turkey",
        "chile",
        "malta",
        "polen",
        "guinea",
        "panama",
        "rom",
        "riga",
        "mosca",
        "damas",
        "haga",
        "seul",
        "krim",
        "paris",
    }
)

# Italian elides the article before vowels and merges it with prepositions:
# "l'Aia", "all'Aia", "dell'Aia".
ITALIAN_ELISIONS = ("l'", "all'", "dell'", "nell'", "dall'", "sull'")

# fmt: off
# Organisations and institutions, and country names CLDR lacks (abbreviations,
# older names, European Portuguese), by key.
ORGANISATIONS: dict[str, tuple[str, ...]] = {
    "nato": (
        "NATO", "OTAN", "NAVO", "НАТО", "ΝΑΤΟ", "North Atlantic Treaty Organization",
        "North Atlantic Treaty Organisation", "North Atlantic Alliance", "Atlantic Alliance",
        "Alleanza Atlantica", "Alianza Atlántica", "Alliance atlantique", "Nordatlantikpakt",
    ),
    "european_union": ("EU", "UE", "ЕС", "ΕΕ", "Евросоюз", "Unión Europea", "Unia Europejska"),
    "united_nations": ("UN", "ONU", "UNO", "VN", "ООН", "ΟΗΕ", "Vereinten Nationen"),
    "united_states": (
        "US", "U.S", "USA", "U.S.A", "EEUU", "EE.UU", "EE UU", "EUA", "SUA", "США", "ΗΠΑ", "VS",
        "ABD", "United States of America", "Estados Unidos de América", "Stati Uniti d'America",
        "Vereinigte Staaten von Amerika", "Statele Unite", "Соединённые Штаты",
    ),
    "united_kingdom": (
        "UK", "Britain", "Great Britain", "Großbritannien", "Gran Bretaña", "Gran Bretagna",
        "Grande-Bretagne", "Groot-Brittannië", "Grã-Bretanha", "Marea Britanie", "Британия",
        "Великобритания", "Βρετανία", "Μεγάλη Βρετανία",
    ),
    "greenland": ("Gronelândia",),
    "iran": ("Irão", "Persia"),
    "turkey": ("Turkey", "Türkei", "Turquía", "Turchia", "Turquie", "Turkije", "Turquia", "Турция"),
    "czechia": ("Czech Republic", "Tschechien"),
    "netherlands": ("Holland", "Holanda", "Olanda", "Hollande"),
    "palestine": ("Palestine", "Palästina", "Palestina", "Палестина", "Παλαιστίνη"),
    "vatican": ("Vatican", "Vatikan", "Vaticano", "Holy See", "Heiliger Stuhl", "Santa Sede"),
    "hong_kong": ("Hong Kong", "Hongkong", "Гонконг"),
    "european_commission": (
        "European Commission", "EU Commission", "Europäische Kommission", "EU-Kommission",
        "Comisión Europea", "Commissione europea", "Commission européenne", "Europese Commissie",
        "Comissão Europeia", "Comisia Europeană", "Еврокомиссия", "Ευρωπαϊκή Επιτροπή",
    ),
    "european_parliament": (
        "European Parliament", "Europäisches Parlament", "Europäischen Parlament",
        "Europaparlament", "Parlamento Europeo", "Parlement européen", "Europees Parlement",
        "Parlamento Europeu", "Parlamentul European", "Европарламент", "Ευρωπαϊκό Κοινοβούλιο",
    ),
    "european_central_bank": ("ECB", "EZB", "BCE", "European Central Bank", "Europäische Zentralbank", "Banco Central Europeo", "Banca centrale europea", "Banque centrale européenne"),
    "un_security_council": (
        "Security Council", "UN Security Council", "Sicherheitsrat", "UN-Sicherheitsrat",
        "Weltsicherheitsrat", "Consejo de Seguridad", "Consiglio di sicurezza",
        "Conseil de sécurité", "Veiligheidsraad", "Conselho de Segurança",
        "Consiliul de Securitate", "Совбез", "Совет Безопасности", "Συμβούλιο Ασφαλείας",
    ),
    "white_house": (
        "White House", "Weißes Haus", "Weißen Haus", "Weiße Haus", "Weißen Hauses", "Casa Blanca",
        "Casa Bianca", "Maison Blanche", "Witte Huis", "Casa Branca", "Casa Albă", "Белый дом",
        "Белого дома", "Белом доме", "Белому дому", "Λευκός Οίκος", "Λευκό Οίκο", "Λευκού Οίκου",
    ),
    "state_department": (
        "State Department", "Department of State", "US-Außenministerium", "Departamento de Estado",
        "Dipartimento di Stato", "Département d'État", "Departamentul de Stat", "Госдепартамент",
        "Госдеп", "Στέιτ Ντιπάρτμεντ",
    ),
    "kremlin": ("Kremlin", "Kreml", "Cremlino", "Kremlinul", "Кремль", "Κρεμλίνο"),
    "pentagon": ("Pentagon", "Pentágono", "Pentagono", "Pentagone", "Пентагон", "Πεντάγωνο"),
    "g7": ("G7", "G-7", "G 7", "Group of Seven", "Gruppe der Sieben"),
    "g20": ("G20", "G-20", "G 20", "Group of Twenty"),
    "iaea": ("IAEA", "AIEA", "IAEO", "МАГАТЭ", "International Atomic Energy Agency"),
    "who": ("WHO", "OMS", "World Health Organization", "Weltgesundheitsorganisation", "Organización Mundial de la Salud", "Organisation mondiale de la santé"),
    "imf": ("IMF", "FMI", "IWF", "МВФ", "International Monetary Fund", "Internationaler Währungsfonds", "Fondo Monetario Internacional", "Fonds monétaire international"),
    "world_bank": ("World Bank", "Weltbank", "Banco Mundial", "Banca Mondiale", "Banque mondiale", "Wereldbank", "Всемирный банк"),
    "osce": ("OSCE", "OSZE", "OVSE", "ОБСЕ", "ΟΑΣΕ"),
    "opec": ("OPEC", "OPEP", "ОПЕК"),
    "brics": ("BRICS", "БРИКС"),
    "asean": ("ASEAN", "АСЕАН"),
    "african_union": ("African Union", "Afrikanische Union", "Unión Africana", "Unione africana", "Union africaine"),
    "council_of_europe": ("Council of Europe", "Europarat", "Consejo de Europa", "Consiglio d'Europa", "Conseil de l'Europe", "Raad van Europa"),
    "icc": (
        "International Criminal Court", "Internationaler Strafgerichtshof", "Corte Penal Internacional",
        "Corte penale internazionale", "Cour pénale internationale", "Internationaal Strafhof",
        "Tribunal Penal Internacional", "Международный уголовный суд",
    ),
    "icj": (
        "International Court of Justice", "Internationaler Gerichtshof", "Corte Internacional de Justicia",
        "Corte internazionale di giustizia", "Cour internationale de justice", "Internationaal Gerechtshof",
    ),
    "hamas": ("Hamas", "Hamás", "ХАМАС", "Χαμάς"),
    "hezbollah": ("Hezbollah", "Hisbollah", "Hezbolá", "Hezbolla", "Hezbollah", "Хезболла", "Χεζμπολάχ"),
}

# Capitals and cities news mentions, by key: spellings that differ by language.
CITIES: dict[str, tuple[str, ...]] = {
    "brussels": ("Brussels", "Brüssel", "Bruselas", "Bruxelles", "Bruxelas", "Brussel", "Bruksela", "Brusel", "Brüksel", "Bryssel", "Брюссель", "Βρυξέλλες"),
    "paris": ("Paris", "Parigi", "París", "Paryż", "Paříž", "Париж", "Παρίσι"),
    "berlin": ("Berlin", "Berlino", "Berlín", "Berlim", "Берлин", "Βερολίνο"),
    "london": ("London", "Londres", "Londra", "Londen", "Londyn", "Londýn", "Лондон", "Λονδίνο"),
    "rome": ("Rome", "Rom", "Roma", "Rzym", "Řím", "Рим", "Ρώμη"),
    "madrid": ("Madrid", "Мадрид", "Μαδρίτη"),
    "lisbon": ("Lisbon", "Lissabon", "Lisboa", "Lisbona", "Lisbonne", "Lisabona", "Lizbona", "Лиссабон", "Λισαβόνα"),
    "amsterdam": ("Amsterdam", "Ámsterdam", "Amsterdã", "Амстердам", "Άμστερνταμ"),
    "the_hague": ("The Hague", "Hague", "Den Haag", "La Haya", "L'Aia", "La Haye", "Haia", "Haga", "Haag", "Гаага", "Χάγη"),
    "vienna": ("Vienna", "Wien", "Viena", "Wenen", "Wiedeń", "Vídeň", "Βιέννη"),
    "bern": ("Bern", "Berne", "Berna", "Берн"),
    "warsaw": ("Warsaw", "Warschau", "Varsovia", "Varsavia", "Varsovie", "Varsóvia", "Varșovia", "Warszawa", "Varšava", "Варшава", "Βαρσοβία"),
    "prague": ("Prague", "Prag", "Praga", "Praag", "Praha", "Прага", "Πράγα"),
    "budapest": ("Budapest", "Budapeste", "Budapeszt", "Budapešť", "Будапешт", "Βουδαπέστη"),
    "bratislava": ("Bratislava", "Bratysława", "Братислава", "Μπρατισλάβα"),
    "ljubljana": ("Ljubljana", "Liubliana", "Lubiana", "Любляна", "Λιουμπλιάνα"),
    "zagreb": ("Zagreb", "Zagabria", "Загреб", "Ζάγκρεμπ"),
    "belgrade": ("Belgrade", "Belgrad", "Belgrado", "Bělehrad", "Белград", "Βελιγράδι"),
    "sarajevo": ("Sarajevo", "Sarajewo", "Сараево", "Σαράγεβο"),
    "skopje": ("Skopje", "Skopie", "Скопье", "Σκόπια"),
    "tirana": ("Tirana", "Tiranë", "Тирана", "Τίρανα"),
    "athens": ("Athens", "Athen", "Atenas", "Atene", "Athènes", "Athene", "Atena", "Ateny", "Atény", "Афины", "Αθήνα"),
    "sofia": ("Sofia", "Sofía", "София", "Σόφια"),
    "bucharest": ("Bucharest", "Bukarest", "Bucarest", "Boekarest", "Bucareste", "București", "Bukareszt", "Bukurešť", "Бухарест", "Βουκουρέστι"),
    "chisinau": ("Chisinau", "Chișinău", "Kischinau", "Кишинёв", "Κισινάου"),
    "kyiv": ("Kyiv", "Kiev", "Kiew", "Kyjiw", "Kijów", "Kyjev", "Kijev", "Kyïv", "Киев", "Київ", "Κίεβο"),
    "minsk": ("Minsk", "Mińsk", "Минск", "Μινσκ"),
    "moscow": ("Moscow", "Moskau", "Moscú", "Mosca", "Moscou", "Moskou", "Moscova", "Moscovo", "Moskwa", "Moskva", "Москва", "Μόσχα"),
    "vilnius": ("Vilnius", "Wilna", "Wilno", "Вильнюс", "Βίλνιους"),
    "riga": ("Riga", "Ryga", "Рига", "Ρίγα"),
    "tallinn": ("Tallinn", "Tallin", "Таллин", "Ταλίν"),
    "helsinki": ("Helsinki", "Helsinque", "Хельсинки", "Ελσίνκι"),
    "stockholm": ("Stockholm", "Estocolmo", "Stoccolma", "Sztokholm", "Стокгольм", "Στοκχόλμη"),
    "oslo": ("Oslo", "Осло", "Όσλο"),
    "copenhagen": ("Copenhagen", "Kopenhagen", "Copenhague", "Copenaghen", "Copenhaga", "Kopenhaga", "København", "Köpenhamn", "Копенгаген", "Κοπεγχάγη"),
    "reykjavik": ("Reykjavik", "Reykjavík", "Reikiavik", "Рейкьявик", "Ρέικιαβικ"),
    "dublin": ("Dublin", "Dublín", "Dublino", "Dublim", "Дублин", "Δουβλίνο"),
    "valletta": ("Valletta", "La Valeta", "La Valette", "Валлетта", "Βαλέτα"),
    "nicosia": ("Nicosia", "Nikosia", "Nicósia", "Никосия", "Λευκωσία"),
    "ankara": ("Ankara", "Ancara", "Анкара", "Άγκυρα"),
    "istanbul": ("Istanbul", "Estambul", "Istambul", "Stambuł", "Стамбул", "Κωνσταντινούπολη", "Ιστανμπούλ"),
    "geneva": ("Geneva", "Genf", "Ginebra", "Ginevra", "Genève", "Genebra", "Genewa", "Ženeva", "Женева", "Γενεύη"),
    "strasbourg": ("Strasbourg", "Straßburg", "Estrasburgo", "Strasburgo", "Straatsburg", "Страсбург", "Στρασβούργο"),
    "munich": ("Munich", "München", "Múnich", "Munique", "Monachium", "Мюнхен", "Μόναχο"),
    "davos": ("Davos", "Давос", "Νταβός"),
    "washington": ("Washington", "Waszyngton", "Вашингтон", "Ουάσιγκτον", "Ουάσινγκτον"),
    "new_york": ("New York", "Nueva York", "Nova Iorque", "Nowy Jork", "Нью-Йорк", "Νέα Υόρκη"),
    "ottawa": ("Ottawa", "Оттава", "Οτάβα"),
    "mexico_city": ("Mexico City", "Ciudad de México", "Mexiko-Stadt", "Città del Messico", "Cidade do México"),
    "brasilia": ("Brasília", "Brasilia", "Бразилиа", "Μπραζίλια"),
    "buenos_aires": ("Buenos Aires", "Буэнос-Айрес", "Μπουένος Άιρες"),
    "beijing": ("Beijing", "Peking", "Pekín", "Pechino", "Pékin", "Pequim", "Pekin", "Пекин", "Πεκίνο"),
    "tokyo": ("Tokyo", "Tokio", "Tóquio", "Токио", "Τόκιο"),
    "seoul": ("Seoul", "Seúl", "Séoul", "Seul", "Сеул", "Σεούλ"),
    "new_delhi": ("New Delhi", "Delhi", "Neu-Delhi", "Nueva Delhi", "Nuova Delhi", "Nova Deli", "Нью-Дели", "Νέο Δελχί"),
    "canberra": ("Canberra", "Канберра", "Καμπέρα"),
    "pretoria": ("Pretoria", "Претория", "Πρετόρια"),
    "riyadh": ("Riyadh", "Riad", "Riade", "Riyad", "Эр-Рияд", "Ριάντ"),
    "jakarta": ("Jakarta", "Yakarta", "Giacarta", "Djakarta", "Jacarta", "Джакарта", "Τζακάρτα"),
    "tel_aviv": ("Tel Aviv", "Tel-Aviv", "Tel Awiw", "Тель-Авив", "Τελ Αβίβ"),
    "jerusalem": ("Jerusalem", "Jerusalén", "Gerusalemme", "Jérusalem", "Jeruzalem", "Jerusalém", "Ierusalim", "Jerozolima", "Иерусалим", "Ιερουσαλήμ"),
    "gaza": ("Gaza", "Gazastreifen", "Газа", "Γάζα"),
    "tehran": ("Tehran", "Teheran", "Teherán", "Téhéran", "Teerã", "Teerão", "Тегеран", "Τεχεράνη"),
    "damascus": ("Damascus", "Damaskus", "Damasco", "Damas", "Damasc", "Damaszek", "Дамаск", "Δαμασκός"),
    "beirut": ("Beirut", "Beyrouth", "Beirute", "Bejrut", "Бейрут", "Βηρυτός"),
    "baghdad": ("Baghdad", "Bagdad", "Bagdá", "Багдад", "Βαγδάτη"),
    "cairo": ("Cairo", "Kairo", "El Cairo", "Il Cairo", "Le Caire", "Caire", "Caïro", "Kair", "Каир", "Κάιρο"),
    "doha": ("Doha", "Доха", "Ντόχα"),
    "kabul": ("Kabul", "Kaboul", "Cabul", "Кабул", "Καμπούλ"),
    "tbilisi": ("Tbilisi", "Tiflis", "Tbilissi", "Тбилиси", "Τιφλίδα"),
    "yerevan": ("Yerevan", "Eriwan", "Ereván", "Erevan", "Ierevan", "Ереван", "Ερεβάν"),
    "baku": ("Baku", "Bakú", "Bakou", "Баку", "Μπακού"),
    "kharkiv": ("Kharkiv", "Kharkov", "Charkiw", "Járkov", "Charkiv", "Carcóvia", "Charków", "Харьков", "Харків", "Χάρκοβο"),
    "odesa": ("Odesa", "Odessa", "Одесса", "Одеса", "Οδησσός"),
    "donetsk": ("Donetsk", "Donezk", "Doneck", "Donieck", "Донецк", "Ντονέτσκ"),
    "luhansk": ("Luhansk", "Lugansk", "Ługańsk", "Луганск", "Луганськ", "Λουγκάνσκ"),
    "donbas": ("Donbas", "Donbass", "Донбасс", "Донбас", "Ντονμπάς"),
    "crimea": ("Crimea", "Krim", "Crimée", "Crimeia", "Crimeea", "Krym", "Крым", "Κριμαία"),
    "zaporizhzhia": ("Zaporizhzhia", "Zaporizhia", "Saporischschja", "Zaporiyia", "Zaporijia", "Zaporožje", "Запорожье", "Запоріжжя"),
    "kherson": ("Kherson", "Cherson", "Jersón", "Херсон", "Χερσώνα"),
    "mariupol": ("Mariupol", "Mariúpol", "Мариуполь", "Μαριούπολη"),
    "pyongyang": ("Pyongyang", "Pjöngjang", "Piongyang", "Pionguiangue", "Пхеньян", "Πιονγκγιάνγκ"),
    "taipei": ("Taipei", "Taipéi", "Taipé", "Тайбэй", "Ταϊπέι"),
    "havana": ("Havana", "Havanna", "La Habana", "L'Avana", "La Havane", "Гавана", "Αβάνα"),
    "caracas": ("Caracas", "Каракас", "Καράκας"),
    "khartoum": ("Khartoum", "Khartum", "Jartum", "Cartum", "Chartum", "Хартум", "Χαρτούμ"),
    "islamabad": ("Islamabad", "Islamabat", "Исламабад", "Ισλαμαμπάντ"),
    "nuuk": ("Nuuk", "Нуук", "Νουούκ"),
}

# People whose names differ between languages by more than transliteration.
PEOPLE: dict[str, tuple[str, ...]] = {
    "rutte": ("Rutte", "Mark Rutte", "Рютте", "Ρούτε"),
    "rubio": ("Rubio", "Marco Rubio", "Рубио", "Ρούμπιο"),
    "trump": ("Trump", "Donald Trump", "Трамп", "Τραμπ"),
    "putin": ("Putin", "Poutine", "Putyin", "Vladimir Putin", "Wladimir Putin", "Путин", "Πούτιν"),
    "zelensky": ("Zelensky", "Zelenskyy", "Zelenskiy", "Zelenskij", "Selenskyj", "Zelenski", "Zełenski", "Zelenszkij", "Зеленский", "Зеленський", "Ζελένσκι"),
    "macron": ("Macron", "Макрон", "Μακρόν"),
    "netanyahu": ("Netanyahu", "Netanjahu", "Netanyahou", "Нетаньяху", "Νετανιάχου"),
    "erdogan": ("Erdogan", "Erdoğan", "Эрдоган", "Ερντογάν"),
    "lavrov": ("Lavrov", "Lawrow", "Ławrow", "Лавров", "Λαβρόφ"),
    "von_der_leyen": ("von der Leyen", "фон дер Ляйен", "φον ντερ Λάιεν"),
    "merz": ("Merz", "Мерц", "Μερτς"),
    "starmer": ("Starmer", "Стармер", "Στάρμερ"),
    "kallas": ("Kallas", "Каллас", "Κάλας"),
}

# Adjectives and nouns of nationality, by country key (the keys babel gives).
DEMONYMS: dict[str, tuple[str, ...]] = {
    "united_states": (
        "American{,s}", "amerikanisch{,e,en,er,es,em}", "Amerikaner{,in,innen,n}",
        "estadounidense{,s}", "norteamerican{o,a,os,as}", "norte-american{o,a,os,as}",
        "statunitens{e,i}", "american{o,a,i,e}", "américain{,e,s,es}", "Amerikan{en,e}",
        "Amerikaans{,e}", "estadunidense{,s}", "american{ă,i,e}", "американск{ий,ая,ое,ие,ого,ой,их}",
        "αμερικαν{ός,ική,ικό,οί,ικές,ικά,ικής,ικού,ικών}",
    ),
    "russia": (
        "Russian{,s}", "russisch{,e,en,er,es,em}", "Russ{e,en,in,innen}", "rus{o,a,os,as}",
        "russ{o,a,i,e,es}", "Russisch{,e}", "russ{o,a,os,as}", "rus{,ă,i}",
        "российск{ий,ая,ое,ие,ого,ой,их}", "русск{ий,ая,ое,ие,ого,ой,их}",
        "ρωσ{ικός,ική,ικό,ικές,ικά,ικής,ικού,ικών,ος,οι}",
    ),
    "ukraine": (
        "Ukrainian{,s}", "ukrainisch{,e,en,er,es,em}", "Ukrainer{,in,innen,n}",
        "ucranian{o,a,os,as}", "ucrain{o,a,i,e}", "ukrainien{,ne,s,nes}", "Oekraïens{,e}",
        "Oekraïner{,s}", "ucranian{o,a,os,as}", "ucrainean{,ă,i,e}", "украинск{ий,ая,ое,ие,ого,ой,их}",
        "ουκραν{ικός,ική,ικό,ικές,ικά,ικής,ικού,ικών,ός,οί}",
    ),
    "china": (
        "Chinese", "chinesisch{,e,en,er,es,em}", "Chines{e,en,in}", "chin{o,a,os,as}",
        "cines{e,i}", "chinois{,e,es}", "Chinee{s,se}", "chinês", "chines{a,es,as}",
        "chinez{,ă,i,e}", "китайск{ий,ая,ое,ие,ого,ой,их}",
    ),
    "germany": (
        "German{,s}", "deutsch{,e,en,er,es,em}", "alemán", "aleman{a,es,as}",
        "tedesc{o,a,hi,he}", "allemand{,e,s,es}", "Du{its,itse}", "alemão", "alemã{,es}",
        "german{ă,i}", "немецк{ий,ая,ое,ие,ого,ой,их}",
    ),
    "france": (
        "French", "französisch{,e,en,er,es,em}", "Franzos{e,en}", "francés", "frances{a,es,as}",
        "frances{e,i}", "français{,e,es}", "Frans{e}", "francês", "france{z,ză,zi,ze}",
        "французск{ий,ая,ое,ие,ого,ой,их}",
    ),
    "united_kingdom": (
        "British", "Briton{,s}", "britisch{,e,en,er,es,em}", "Brit{e,en}", "británic{o,a,os,as}",
        "britannic{o,a,i,he}", "britannique{,s}", "Brit{s,se}", "britânic{o,a,os,as}",
        "britanic{,ă,i,e}", "британск{ий,ая,ое,ие,ого,ой,их}",
    ),
    "israel": (
        "Israeli{,s}", "israelisch{,e,en,er,es,em}", "israelí{,es}", "israelian{o,a,i,e}",
        "israélien{,ne,s,nes}", "Israëlisch{,e}", "israelense{,s}", "israelian{,ă,i,e}",
        "израильск{ий,ая,ое,ие,ого,ой,их}",
    ),
    "iran": (
        "Iranian{,s}", "iranisch{,e,en,er,es,em}", "iraní{,es}", "iranian{o,a,i,e}",
        "iranien{,ne,s,nes}", "Iraans{,e}", "iranian{,ă,i,e}", "иранск{ий,ая,ое,ие,ого,ой,их}",
    ),
    "turkey": (
        "Turkish", "türkisch{,e,en,er,es,em}", "turc{o,a,os,as,hi,he}", "turc{,s,que,ques}",
        "Turks{,e}", "turcesc", "турецк{ий,ая,ое,ие,ого,ой,их}",
    ),
    "poland": (
        "Polish", "polnisch{,e,en,er,es,em}", "polac{o,a,os,as}", "polacc{o,a,hi,he}",
        "polonais{,e,es}", "Pools{,e}", "polonês", "polones{a,es,as}", "polonez{,ă,i,e}",
        "польск{ий,ая,ое,ие,ого,ой,их}",
    ),
    "denmark": (
        "Danish", "dänisch{,e,en,er,es,em}", "danés", "danes{a,es,as}", "danes{e,i}",
        "Dane{,s}", "danois{,e,es}", "Deens{,e}", "dinamarquês", "dinamarques{a,es,as}",
        "датск{ий,ая,ое,ие,ого,ой,их}",
    ),
    "greenland": (
        "Greenlandic", "Greenlander{,s}", "grönländisch{,e,en,er,es,em}", "groenlandés",
        "groenlandes{a,es,as}", "groenlandes{e,i}", "groenlandais{,e,es}", "Groenlands{,e}",
        "gronelandês", "гренландск{ий,ая,ое,ие,ого,ой,их}",
    ),
}
# fmt: on
