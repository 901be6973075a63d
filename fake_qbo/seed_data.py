"""Word lists for fake_qbo.seed: names, places, catalogue. Data only, no logic.

Templates: '#' becomes a digit, '@' an upper-case letter. Phone numbers use ranges reserved for
fiction (NANP 555-01xx, Ofcom 020 7946 0xxx / 07700 900xxx, ACMA 02 5550 xxxx / 0491 570 xxx).
"""

GIVEN_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Sandra",
    "Steven", "Ashley", "Paul", "Kimberly", "Andrew", "Emily", "Joshua", "Donna", "Kevin", "Michelle",
    "Brian", "Carol", "George", "Amanda", "Timothy", "Melissa", "Ronald", "Deborah", "Jason",
    "Stephanie", "Ryan", "Rebecca", "Jacob", "Laura", "Gary", "Sharon", "Nicholas", "Cynthia", "Eric",
    "Kathleen", "Amy", "Shara", "Russ", "Karen", "Diego", "Dylan", "Sasha", "Amelia", "Peter",
    "Priya", "Wei", "Aiko", "Olusegun", "Fatima", "Mateo", "Ingrid", "Siobhan", "Raj", "Noor",
)
FAMILY_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen",
    "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
    "Carter", "Roberts", "Lauterbach", "Lucchini", "Dukes", "Sonnenschein", "Sollfrank", "Tillou",
    "Barnett", "Pye", "Freeman", "Kowalski", "Okafor", "Tanaka", "Chen", "Patel", "Singh", "Murphy",
    "MacDonald", "Fitzgerald", "Novak", "Larsen", "Haddad", "Kaur", "Rossi", "Schmidt", "Dubois",
)
TITLES = ("Mr.", "Ms.", "Mrs.", "Dr.", "Mx.", "Prof.")
SUFFIXES = ("Jr.", "Sr.", "II", "III", "PhD")
TRADES = (
    "Plumbing", "Landscaping", "Electric", "Roofing", "Bakery", "Catering", "Design", "Consulting",
    "Dental", "Veterinary Clinic", "Auto Repair", "Bookkeeping", "Florist", "Hardware",
    "Construction", "Painting", "Cleaning Services", "Coffee Roasters", "Brewing Co.", "Pet Supplies",
    "Sporting Goods", "Printing", "Photography", "Fitness", "Law Office", "Pharmacy", "Movers",
    "Heating & Cooling", "Pool Service", "Tile & Stone", "Surf Shop", "Bird Sanctuary", "Winery",
    "Machine Works", "Signs", "Upholstery", "Optics", "Marine Supply", "Solar", "Ceramics",
)
ADJECTIVES = (
    "Blue Ridge", "Golden Gate", "Silver Lake", "Red Rock", "Evergreen", "Northwind", "Summit",
    "Cedar", "Harbor", "Pioneer", "Lakeside", "Granite", "Sunrise", "Riverbend", "Maple Leaf",
    "Iron Horse", "Pacific", "Atlantic", "Prairie", "Copper Creek", "Highland", "Oakwood",
    "Bright Star", "Twin Pines", "Eagle", "Coastal", "Valley", "Crescent", "Keystone", "Liberty",
)
COMPANY_SUFFIXES = ("Inc.", "LLC", "Ltd.", "Co.", "Group", "& Sons", "Partners", "Corp.", "", "", "")
JOB_KINDS = (
    "Kitchen Remodel", "Office Fit-out", "Annual Maintenance", "Warehouse", "Phase 2", "Site",
    "Spring Campaign", "Retainer", "Renovation", "Store", "Project", "Event",
)
# Names that break naive code: quotes, ampersands, commas, accents, CJK, long, digits first.
HOSTILE_COMPANIES = (
    "O'Brien & Sons", "Café Müller", "Peña Landscaping & Design", "日本商事株式会社",
    "Zoë's Bäckerei", "Smith, Jones & Partners", "L'Atelier Québécois", "Ñandú Imports S.A.",
    "Größe & Weiß GmbH", "\"Quoted\" Creative Studio", "100% Natural Foods", "Åsa's Smørrebrød",
    "Ristorante Dell'Arte", "株式会社 東京トレーディング", "A Very Long Company Name For Testing "
    "Field Length Limits In Every Form And Report Incorporated",
)
HOSTILE_PEOPLE = (
    ("José", "Peña"), ("Zoë", "O'Connor"), ("Björn", "Ångström"), ("Siân", "D'Arcy-Jones"),
    ("François", "Lefèvre"), ("太郎", "山田"), ("Chloë", "van der Berg"), ("Seán", "Ó Briain"),
)
NOTES = (
    "Prefers invoices by email.", "Net 30 agreed by phone.", "Call before delivery.",
    "Gate code 4411.\nDeliver to the back entrance.", "VIP customer — priority scheduling.",
    "Tax-exempt certificate on file.", "Pays by check; mail to PO box.",
    "Contact accounts payable, not the owner.", "Referred by O'Brien & Sons.",
)
MEMOS = (
    "Thank you for your business and have a great day!", "Thanks for choosing us!",
    "Payment due within terms. Merci!", "We appreciate your prompt payment.",
)
LINE2 = ("Suite 100", "Suite 250", "Unit 4", "Floor 3", "Building B", "Apt. 12", "PO Box 88")

US_STREETS = (
    "Court St.", "Finch St.", "Ocean Dr.", "Easy St.", "Main St.", "Cypress Hill Ave.",
    "Mountain View Dr.", "Channing Ave.", "Twin Lane", "Oak St.", "Maple Ave.", "Elm Rd.",
    "Washington Blvd.", "Lakeview Terrace", "Sunset Blvd.", "Park Pl.", "Cedar Ln.", "Broadway",
)
CA_STREETS = (
    "Rue Saint-Denis", "Boulevard René-Lévesque", "Yonge St.", "Queen St. W", "Granville St.",
    "Rue Sainte-Catherine", "Jasper Ave.", "Portage Ave.", "Barrington St.", "Bloor St. E",
)
GB_STREETS = (
    "High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "Park Avenue",
    "King's Road", "Queen's Parade", "Albert Street", "The Green",
)
AU_STREETS = (
    "George St", "Bourke Street", "Collins St", "Queen St", "Hay Street", "Oxford St",
    "Beach Road", "Pacific Hwy", "Flinders Lane", "Kings Parade",
)

# (city, CountrySubDivisionCode, postal template, phone template, mobile template)
US_CITIES = (
    ("Palo Alto", "CA", "943##", "(650) 555-01##", "650-555-01##"),
    ("Bayshore", "CA", "94326", "(415) 555-01##", "+1 415 555 01##"),
    ("Tucson", "AZ", "857##", "(520) 555-01##", "520.555.01##"),
    ("South Orange", "NJ", "07079", "(973) 555-01##", "(973) 555-01##"),
    ("Austin", "TX", "787##", "(512) 555-01##", "512-555-01##"),
    ("Portland", "OR", "972##", "(503) 555-01##", "503-555-01##"),
    ("Denver", "CO", "802##", "(303) 555-01##", "303-555-01##"),
    ("Brooklyn", "NY", "112##", "(718) 555-01##", "718-555-01##"),
    ("Miami", "FL", "331##", "(305) 555-01##", "305-555-01##"),
    ("Chicago", "IL", "606##", "(312) 555-01##", "312-555-01##"),
)
CA_CITIES = (
    ("Toronto", "ON", "M#@ #@#", "(416) 555-01##", "647-555-01##"),
    ("Montréal", "QC", "H#@ #@#", "(514) 555-01##", "438-555-01##"),
    ("Québec", "QC", "G#@ #@#", "(418) 555-01##", "418-555-01##"),
    ("Vancouver", "BC", "V#@ #@#", "(604) 555-01##", "778-555-01##"),
    ("Calgary", "AB", "T#@ #@#", "(403) 555-01##", "587-555-01##"),
    ("Halifax", "NS", "B#@ #@#", "(902) 555-01##", "902-555-01##"),
)
GB_CITIES = (
    ("London", "Greater London", "SW# #@@", "020 7946 0###", "07700 900###"),
    ("Manchester", "Greater Manchester", "M# #@@", "0161 496 0###", "07700 900###"),
    ("Edinburgh", "City of Edinburgh", "EH# #@@", "0131 496 0###", "07700 900###"),
    ("Bristol", "Bristol", "BS# #@@", "0117 496 0###", "07700 900###"),
    ("Leeds", "West Yorkshire", "LS# #@@", "0113 496 0###", "07700 900###"),
)
AU_CITIES = (
    ("Sydney", "NSW", "2###", "(02) 5550 ####", "0491 570 ###"),
    ("Melbourne", "VIC", "3###", "(03) 5550 ####", "0491 570 ###"),
    ("Brisbane", "QLD", "4###", "(07) 5550 ####", "0491 570 ###"),
    ("Perth", "WA", "6###", "(08) 5550 ####", "0491 570 ###"),
    ("Adelaide", "SA", "5###", "(08) 5550 ####", "0491 570 ###"),
)
COUNTRIES = {
    # cities, streets, Country field spellings seen in real files ("" = field omitted)
    "US": (US_CITIES, US_STREETS, ("US", "USA", "United States", "")),
    "CA": (CA_CITIES, CA_STREETS, ("CA", "Canada", "Canada", "")),
    "GB": (GB_CITIES, GB_STREETS, ("GB", "United Kingdom", "UK", "")),
    "AU": (AU_CITIES, AU_STREETS, ("AU", "Australia", "Australia", "")),
}

# (Name, Type, UnitPrice, PurchaseCost, Description), types taking turns so any prefix has all three.
CATALOGUE = (
    ("Design", "Service", "75.00", "0", "Custom Design"),
    ("Concrete", "NonInventory", "9.50", "6.00", "Concrete for fountain installation"),
    ("Rock Fountain", "Inventory", "275.00", "125.00", "Rock Fountain"),
    ("Gardening", "Service", "35.00", "0", "Weekly Gardening Service"),
    ("Soil", "NonInventory", "10.00", "6.50", "2 cubic ft. bag"),
    ("Pump", "Inventory", "15.00", "10.00", "Fountain Pump"),
    ("Pest Control", "Service", "35.00", "0", "Pest Control Services"),
    ("Sod", "NonInventory", "2.00", "1.25", "Sod, per square foot"),
    ("Garden Hose 50 ft", "Inventory", "29.99", "14.50", "Heavy-duty rubber hose"),
    ("Installation", "Service", "50.00", "0", "Installation of landscape design"),
    ("Sprinkler Heads", "NonInventory", "2.00", "0.75", "Sprinkler Heads"),
    ("Sprinkler Pipes", "Inventory", "4.00", "2.50", "Sprinkler Pipes"),
    ("Consulting Hours", "Service", "120.00", "0", "Senior consultant, hourly"),
    ("Nuts & Bolts Kit", "NonInventory", "4.99", "1.80", "Assorted stainless hardware"),
    ("Copper Fitting 3/4\"", "Inventory", "3.25", "1.10", "Sweat coupling"),
    ("Maintenance & Repair", "Service", "65.00", "0", "Maintenance and repair, per hour"),
    ("Bolt 1/2\" x 3\"", "NonInventory", "0.45", "0.12", "Hex bolt, zinc plated"),
    ("Paint – Eggshell White", "Inventory", "42.00", "21.00", "1 gallon, interior"),
    ("Trimming", "Service", "40.00", "0", "Tree and shrub trimming"),
    ("O'Neil's Sealant", "NonInventory", "12.75", "7.40", "Silicone sealant, 300 ml"),
    ("Solar Panel 400 W", "Inventory", "310.00", "198.00", "Monocrystalline module"),
    ("Delivery", "Service", "25.00", "0", "Local delivery"),
    ("Thermostat", "Inventory", "129.00", "74.00", "Programmable Wi-Fi thermostat"),
    ("Café Crème Catering", "Service", "18.50", "7.25", "Coffee service, per guest"),
    ("Ceramic Tile 12×12", "Inventory", "3.80", "1.95", "Glazed porcelain tile"),
    ("Hours", "Service", "200.00", "0", "Service hours"),
    ("Büro-Stuhl Ergonomisch", "Inventory", "249.00", "150.00", "Ergonomic office chair"),
)
ITEM_VARIANTS = (
    "Pro", "XL", "Mini", "Deluxe", "Type B", "v2", "Bulk", "Economy", "Premium", "Compact",
    "Outdoor", "Blue", "Black", "Stainless", "Kit", "Refill", "Gen 3", "Lite", "Max", "Classic",
)
CATEGORIES = (
    "Landscaping", "Plumbing", "Office Supplies", "Hardware", "Services", "Fountains",
    "Électricité", "Garden & Patio", "Paint", "Energy",
)
