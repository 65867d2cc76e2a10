"""Word lists of the synthetic universe: industries, places, technologies, names, titles.

Kept here (not Faker) so the universe is identical on every machine and every library version.
"""

from __future__ import annotations

# LinkedIn category → (NAICS code, revenue per employee in USD, technology affinities, name words)
INDUSTRIES: dict[str, tuple[str, int, tuple[str, ...], tuple[str, ...]]] = {
    "software development": ("541511", 260_000, ("dev", "cloud", "analytics"), ("Labs", "Software", "Cloud", "AI")),
    "it services and it consulting": ("541512", 160_000, ("dev", "cloud", "security"), ("Consulting", "Systems", "Solutions", "IT")),
    "computer and network security": ("541519", 240_000, ("security", "cloud", "dev"), ("Security", "Shield", "Defense", "Cyber")),
    "financial services": ("523999", 380_000, ("analytics", "security", "crm"), ("Capital", "Financial", "Partners", "Wealth")),
    "insurance": ("524210", 300_000, ("crm", "analytics", "security"), ("Insurance", "Assurance", "Mutual", "Risk")),
    "hospitals and health care": ("621111", 120_000, ("hr", "security", "support"), ("Health", "Care", "Medical", "Clinic")),
    "biotechnology research": ("541714", 280_000, ("analytics", "cloud", "collaboration"), ("Bio", "Therapeutics", "Genomics", "Life")),
    "retail": ("455110", 180_000, ("ecommerce", "marketing", "support"), ("Store", "Goods", "Market", "Outfitters")),
    "manufacturing": ("332710", 220_000, ("erp", "analytics", "collaboration"), ("Industries", "Manufacturing", "Works", "Fabrication")),
    "marketing services": ("541613", 150_000, ("marketing", "analytics", "crm"), ("Media", "Marketing", "Creative", "Agency")),
    "staffing and recruiting": ("561311", 90_000, ("hr", "crm", "collaboration"), ("Talent", "Staffing", "Recruiting", "People")),
    "real estate": ("531210", 200_000, ("crm", "marketing", "collaboration"), ("Realty", "Properties", "Estates", "Homes")),
    "transportation, logistics, supply chain and storage": ("488510", 170_000, ("erp", "analytics", "cloud"), ("Logistics", "Freight", "Transport", "Supply")),
    "higher education": ("611310", 90_000, ("collaboration", "support", "hr"), ("Academy", "Institute", "Learning", "College")),
    "e-learning providers": ("611710", 140_000, ("marketing", "cloud", "support"), ("Learn", "Academy", "Edu", "Skills")),
    "telecommunications": ("517111", 330_000, ("cloud", "security", "support"), ("Telecom", "Networks", "Connect", "Wireless")),
    "construction": ("236220", 210_000, ("erp", "collaboration", "hr"), ("Builders", "Construction", "Contracting", "Build")),
    "accounting": ("541211", 130_000, ("erp", "collaboration", "security"), ("Accounting", "Advisors", "CPA", "Ledger")),
    "legal services": ("541110", 210_000, ("collaboration", "security", "crm"), ("Legal", "Law", "Counsel", "Partners")),
    "hospitality": ("721110", 70_000, ("marketing", "support", "ecommerce"), ("Hotels", "Hospitality", "Resorts", "Stays")),
}
INDUSTRY_WEIGHTS = (16, 10, 5, 7, 4, 6, 3, 6, 8, 6, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3)

TECHNOLOGIES: dict[str, tuple[str, ...]] = {
    "crm": ("Salesforce", "HubSpot", "Pipedrive", "Zoho CRM", "Microsoft Dynamics 365"),
    "marketing": ("Marketo", "Mailchimp", "HubSpot Marketing Hub", "Google Ads", "Hotjar", "Pardot"),
    "cloud": ("Amazon Web Services", "Google Cloud", "Microsoft Azure", "Cloudflare", "Heroku"),
    "dev": ("GitHub", "GitLab", "Jira", "Docker", "Kubernetes", "Datadog", "Sentry", "Terraform"),
    "analytics": ("Google Analytics", "Segment", "Mixpanel", "Snowflake", "Looker", "Tableau", "dbt"),
    "support": ("Zendesk", "Intercom", "Freshdesk", "Gorgias"),
    "collaboration": ("Slack", "Microsoft Teams", "Zoom", "Notion", "Google Workspace", "Asana"),
    "ecommerce": ("Shopify", "Magento", "Stripe", "WooCommerce", "BigCommerce"),
    "security": ("Okta", "CrowdStrike", "1Password", "Palo Alto Networks", "Auth0"),
    "hr": ("Workday", "BambooHR", "Greenhouse", "Gusto", "Lever"),
    "erp": ("NetSuite", "SAP", "QuickBooks", "Xero", "Odoo"),
}

# ISO-2 → (country name, weight, [(city, region), …])
COUNTRIES: dict[str, tuple[str, int, tuple[tuple[str, str], ...]]] = {
    "us": ("united states", 40, (("san francisco", "california"), ("new york", "new york"),
            ("austin", "texas"), ("boston", "massachusetts"), ("chicago", "illinois"),
            ("seattle", "washington"), ("denver", "colorado"), ("atlanta", "georgia"))),
    "gb": ("united kingdom", 10, (("london", "england"), ("manchester", "england"),
            ("edinburgh", "scotland"), ("bristol", "england"))),
    "de": ("germany", 8, (("berlin", "berlin"), ("munich", "bavaria"), ("hamburg", "hamburg"))),
    "fr": ("france", 6, (("paris", "ile-de-france"), ("lyon", "auvergne-rhone-alpes"))),
    "ca": ("canada", 6, (("toronto", "ontario"), ("vancouver", "british columbia"),
            ("montreal", "quebec"))),
    "nl": ("netherlands", 4, (("amsterdam", "north holland"), ("rotterdam", "south holland"))),
    "au": ("australia", 4, (("sydney", "new south wales"), ("melbourne", "victoria"))),
    "in": ("india", 5, (("bangalore", "karnataka"), ("mumbai", "maharashtra"), ("pune", "maharashtra"))),
    "es": ("spain", 3, (("madrid", "madrid"), ("barcelona", "catalonia"))),
    "se": ("sweden", 3, (("stockholm", "stockholm"), ("gothenburg", "vastra gotaland"))),
    "br": ("brazil", 3, (("sao paulo", "sao paulo"), ("rio de janeiro", "rio de janeiro"))),
    "ie": ("ireland", 2, (("dublin", "leinster"), ("cork", "munster"))),
    "sg": ("singapore", 2, (("singapore", "singapore"),)),
    "ch": ("switzerland", 2, (("zurich", "zurich"), ("geneva", "geneva"))),
    "il": ("israel", 2, (("tel aviv", "tel aviv"),)),
}
COUNTRY_TLD = {"gb": "co.uk", "de": "de", "fr": "fr", "nl": "nl", "au": "com.au", "es": "es",
               "se": "se", "br": "com.br", "ie": "ie", "ch": "ch", "in": "in", "ca": "ca"}
PHONE_PREFIX = {"us": "+1", "ca": "+1", "gb": "+44", "de": "+49", "fr": "+33", "nl": "+31",
                "au": "+61", "in": "+91", "es": "+34", "se": "+46", "br": "+55", "ie": "+353",
                "sg": "+65", "ch": "+41", "il": "+972"}

# Employee range → (weight, min, max, people we know there)
SIZES: dict[str, tuple[int, int, int, int]] = {
    "1-10": (15, 2, 10, 4),
    "11-50": (30, 11, 50, 7),
    "51-200": (25, 51, 200, 11),
    "201-500": (12, 201, 500, 15),
    "501-1000": (7, 501, 1000, 19),
    "1001-5000": (7, 1001, 5000, 23),
    "5001-10000": (2, 5001, 10000, 26),
    "10001+": (2, 10001, 60000, 28),
}

NAME_STEMS = (
    "Acme", "Nimbus", "Vertex", "Lumen", "Quanta", "Orbit", "Harbor", "Summit", "Beacon", "Cobalt",
    "Aurora", "Falcon", "Granite", "Helix", "Ion", "Juniper", "Kepler", "Lattice", "Meridian",
    "Nova", "Onyx", "Pioneer", "Quill", "Radiant", "Sierra", "Tidal", "Umbra", "Vantage", "Willow",
    "Zenith", "Atlas", "Birch", "Cedar", "Delta", "Ember", "Fjord", "Glacier", "Horizon", "Indigo",
    "Jasper", "Keystone", "Lark", "Maple", "Northwind", "Oak", "Pinnacle", "Quartz", "Redwood",
    "Sparrow", "Triton", "Unity", "Velocity", "Wavelength", "Xenon", "Yellowstone", "Zephyr",
    "Alder", "Brightline", "Crescent", "Driftwood", "Evergreen", "Foxglove", "Goldleaf", "Highland",
    "Ironclad", "Kestrel", "Lighthouse", "Mosaic", "Nexus", "Outpost", "Prism", "Riverbend",
    "Silverline", "Trailhead", "Upland", "Vista", "Westbrook", "Bluebird", "Copperleaf", "Daybreak",
)
FIRST_NAMES = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Sandra",
    "Paul", "Ashley", "Steven", "Emily", "Andrew", "Michelle", "Joshua", "Amanda", "Kevin",
    "Melissa", "Brian", "Stephanie", "Priya", "Arjun", "Wei", "Mei", "Hiroshi", "Yuki", "Lukas",
    "Anna", "Sophie", "Leon", "Emma", "Noah", "Olivia", "Liam", "Chloe", "Mateo", "Lucia", "Hugo",
    "Camille", "Lars", "Ingrid", "Sven", "Freya", "Rafael", "Beatriz", "Omar", "Layla", "Aisha",
    "Diego", "Valentina", "Ravi", "Ananya", "Sean", "Aoife", "Noa", "Yosef", "Chen", "Mia",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
    "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young",
    "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell",
    "Patel", "Sharma", "Singh", "Wang", "Zhang", "Tanaka", "Sato", "Muller", "Schmidt", "Schneider",
    "Fischer", "Dubois", "Laurent", "Bernard", "Jansen", "de Vries", "Andersson", "Johansson",
    "Nilsson", "Silva", "Santos", "Costa", "Murphy", "Kelly", "O'Brien", "Cohen", "Levi", "Rossi",
    "Ferrari", "Novak", "Kowalski", "Nguyen", "Kim", "Park", "Chen", "Liu", "Okafor", "Mensah",
)

# Department → its title stem (for "VP of …", "… Manager") and typical individual titles.
DEPARTMENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sales": ("Sales", ("Account Executive", "Sales Development Representative",
                        "Business Development Representative", "Enterprise Account Executive")),
    "marketing": ("Marketing", ("Marketing Specialist", "Content Marketing Manager",
                                "Demand Generation Specialist", "Product Marketing Manager")),
    "engineering": ("Engineering", ("Software Engineer", "Backend Engineer",
                                    "Site Reliability Engineer", "Data Engineer")),
    "operations": ("Operations", ("Operations Analyst", "Revenue Operations Specialist",
                                  "Business Operations Associate")),
    "finance": ("Finance", ("Financial Analyst", "Accountant", "Controller")),
    "human resources": ("People", ("Recruiter", "HR Business Partner", "Talent Partner")),
    "customer service": ("Customer Success", ("Customer Success Manager", "Support Specialist",
                                              "Account Manager")),
    "information technology": ("IT", ("Systems Administrator", "IT Support Engineer",
                                      "Security Analyst")),
    "product": ("Product", ("Product Manager", "Product Designer", "UX Researcher")),
}
DEPARTMENT_WEIGHTS = (24, 14, 22, 8, 6, 6, 8, 6, 6)
# Seniority → weight among non-founders (Apollo's vocabulary; Explorium maps it to job_level).
SENIORITY_WEIGHTS = {"vp": 5, "head": 4, "director": 10, "manager": 18, "senior": 20,
                     "entry": 40, "intern": 3}
EXPLORIUM_JOB_LEVEL = {"owner": "owner", "founder": "founder", "c_suite": "c-suite",
                       "partner": "partner", "vp": "vice president", "head": "director",
                       "director": "director", "manager": "manager", "senior": "senior non-managerial",
                       "entry": "non-managerial", "intern": "intern"}
C_SUITE = (("Chief Executive Officer", "CEO"), ("Chief Technology Officer", "CTO"),
           ("Chief Revenue Officer", "CRO"), ("Chief Marketing Officer", "CMO"),
           ("Chief Financial Officer", "CFO"), ("Chief Operating Officer", "COO"))
C_SUITE_DEPARTMENT = {"CEO": "executive", "CTO": "engineering", "CRO": "sales",
                      "CMO": "marketing", "CFO": "finance", "COO": "operations"}

FUNDING_STAGES = (("Pre-Seed", 250_000, 1_500_000), ("Seed", 1_000_000, 5_000_000),
                  ("Series A", 5_000_000, 20_000_000), ("Series B", 15_000_000, 60_000_000),
                  ("Series C", 40_000_000, 150_000_000), ("Series D", 80_000_000, 300_000_000))
INVESTORS = ("Sequoia Capital", "Accel", "Index Ventures", "Andreessen Horowitz", "Balderton",
             "Point Nine", "Y Combinator", "Insight Partners", "General Catalyst", "Lightspeed",
             "Northzone", "Bessemer Venture Partners", "Creandum", "Atomico", "Felix Capital")
EVENT_TYPES = ("new_funding_round", "new_product", "new_partnership", "new_office",
               "hiring_in_sales_department", "hiring_in_engineering_department",
               "increase_in_sales_department", "increase_in_engineering_department",
               "employee_joined_company", "company_award", "cost_cutting")
