"""Country names as the reports write them.

The Member States of the United Nations, the two observer States, and the short forms in
common use ("Syria", "Russia"). Used to tell whether a paragraph names as many countries
as a question asks for ("which five countries ..."): the names are matched on folded text
(accents and apostrophes do not matter, see `vectorstore.lexical.fold`).
"""

from __future__ import annotations

import re

_NAMES = """
Afghanistan; Albania; Algeria; Andorra; Angola; Antigua and Barbuda; Argentina; Armenia; Australia; Austria;
Azerbaijan; Bahamas; Bahrain; Bangladesh; Barbados; Belarus; Belgium; Belize; Benin; Bhutan; Bolivia;
Bosnia and Herzegovina; Botswana; Brazil; Brunei Darussalam; Brunei; Bulgaria; Burkina Faso; Burundi; Cabo Verde;
Cape Verde; Cambodia; Cameroon; Canada; Central African Republic; Chad; Chile; China; Colombia; Comoros; Congo;
Costa Rica; Cote d' Ivoire; Croatia; Cuba; Cyprus; Czechia; Czech Republic;
Democratic People's Republic of Korea; North Korea; Democratic Republic of the Congo; Denmark; Djibouti; Dominica;
Dominican Republic; Ecuador; Egypt; El Salvador; Equatorial Guinea; Eritrea; Estonia; Eswatini; Swaziland;
Ethiopia; Fiji; Finland; France; Gabon; Gambia; Georgia; Germany; Ghana; Greece; Grenada; Guatemala; Guinea;
Guinea-Bissau; Guyana; Haiti; Honduras; Hungary; Iceland; India; Indonesia; Iran; Iraq; Ireland; Israel; Italy;
Jamaica; Japan; Jordan; Kazakhstan; Kenya; Kiribati; Kuwait; Kyrgyzstan; Lao People's Democratic Republic; Laos;
Latvia; Lebanon; Lesotho; Liberia; Libya; Liechtenstein; Lithuania; Luxembourg; Madagascar; Malawi; Malaysia;
Maldives; Mali; Malta; Marshall Islands; Mauritania; Mauritius; Mexico; Micronesia; Monaco; Mongolia; Montenegro;
Morocco; Mozambique; Myanmar; Burma; Namibia; Nauru; Nepal; Netherlands; New Zealand; Nicaragua; Niger; Nigeria;
North Macedonia; Norway; Oman; Pakistan; Palau; Panama; Papua New Guinea; Paraguay; Peru; Philippines; Poland;
Portugal; Qatar; Republic of Korea; South Korea; Republic of Moldova; Moldova; Romania; Russian Federation; Russia;
Rwanda; Saint Kitts and Nevis; Saint Lucia; Saint Vincent and the Grenadines; Samoa; San Marino;
Sao Tome and Principe; Saudi Arabia; Senegal; Serbia; Seychelles; Sierra Leone; Singapore; Slovakia; Slovenia;
Solomon Islands; Somalia; South Africa; South Sudan; Spain; Sri Lanka; Sudan; Suriname; Sweden; Switzerland;
Syrian Arab Republic; Syria; Tajikistan; Thailand; Timor-Leste; Togo; Tonga; Trinidad and Tobago; Tunisia;
Turkey; Turkiye; Turkmenistan; Tuvalu; Uganda; Ukraine; United Arab Emirates; United Kingdom; Tanzania;
United Republic of Tanzania; United States; Uruguay; Uzbekistan; Vanuatu; Venezuela; Viet Nam; Vietnam; Yemen;
Zambia; Zimbabwe; Holy See; State of Palestine; Palestine
"""
COUNTRY_NAMES = tuple(dict.fromkeys(n.strip() for n in _NAMES.replace("\n", " ").split(";") if n.strip()))
# Longest first, so "South Sudan" is one name, not "Sudan" too; "Guinea" not inside "Guinea-Bissau".
_PATTERN = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(n) for n in sorted(COUNTRY_NAMES, key=len, reverse=True)) + r")(?![\w-])"
)


def countries_named(folded_text: str) -> set[str]:
    """The distinct country names in a text already passed through `fold`."""
    return set(_PATTERN.findall(folded_text))
