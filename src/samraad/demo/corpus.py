"""Made-up but plausible Danish text about the municipal economy.

The demo round uses it for council input, KKR records, advance questions,
emailed input and presenter notes; the theme-analysis benchmark uses
`generate_documents`. Everything is drawn from a `random.Random` the caller
seeds, so the same seed gives the same text.

Each service area (`AREAS`) has its own sentences, proposals, spoken quotes,
questions and short challenge phrases, with a vocabulary of its own, so that a
topic model (TF-IDF with NMF) finds the areas again as distinct themes.
Sentences take municipality-specific details (name, amounts, shares, years)
through `{slots}` and vary their wording through `[one|other]` alternatives.
Each region leans towards some areas (`REGION_EMPHASIS`), so comparisons
between regions show a difference: Nordjylland demography and recruitment,
Midtjylland climate and digitalisation, Syddanmark the specialised social
area, Hovedstaden construction and housing, Sjælland health and employment.

No database is needed: municipalities come from the directory's data file
(`Place`), and the helpers accept a `directory.Municipality` as well.
"""

from __future__ import annotations

import csv
import functools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

DATA = Path(__file__).resolve().parent.parent / "directory" / "data" / "municipalities.csv"

DEFAULT_YEAR = 2026


@dataclass(frozen=True)
class Area:
    """A service area: its rounds.Theme key and the text it contributes."""

    key: str
    name: str
    theme: str  # key of the round's theme (rounds.models.DEFAULT_THEMES) it belongs to
    sentences: tuple[str, ...]
    proposals: tuple[str, ...]
    quotes: tuple[str, ...]
    questions: tuple[str, ...]
    challenges: tuple[str, ...]


AREAS: tuple[Area, ...] = (
    Area(
        key="aeldre",
        name="Ældreplejen",
        theme="elderly_care",
        sentences=(
            "Antallet af borgere over 80 år i {kommune} stiger med {pct} pct. frem mod {fremtid}, "
            "og det lægger et [markant|massivt|stigende] pres på hjemmeplejen.",
            "Vi forventer at mangle {antal} plejeboliger i {fremtid}, hvis der ikke findes "
            "finansiering til nye plejehjemspladser.",
            "Ældrereformen ændrer rammerne for hjemmehjælpen, og det er afgørende, at der følger "
            "penge med de nye opgaver i ældreplejen.",
            "Flere demensramte borgere betyder, at plejehjemmene [har brug for|skal have] flere "
            "hænder og bedre fysiske rammer.",
            "Velfærdsteknologi som skærmbesøg og spiserobotter har frigjort tid i hjemmeplejen, "
            "men gevinsterne dækker ikke den demografiske udvikling på ældreområdet.",
            "Ventetiden på en plejebolig er nu {uger} uger i gennemsnit, og de pårørende mærker "
            "presset.",
            "Udgifterne til hjemmepleje og plejehjem er steget med {mio} mio. kr. på to år i "
            "{kommune}.",
            "Hverdagsrehabilitering [virker|har god effekt], men den kræver terapeuter og tid, så "
            "flere ældre kan klare sig selv længere i eget hjem.",
            "Den kommunale hjemmesygepleje modtager flere ældre borgere med komplekse behov efter "
            "korte indlæggelser.",
            "Plejehjemmene i {by} er bygget i 1970'erne og lever ikke op til kravene til en "
            "moderne plejebolig.",
        ),
        proposals=(
            "Vi foreslår, at det demografiske træk på ældreområdet kompenseres fuldt ud i "
            "økonomiaftalen for {aar}.",
            "KL bør arbejde for en statslig pulje til opførelse af plejeboliger i kommuner med "
            "mange ældre.",
            "Ældrereformen skal ledsages af færre dokumentationskrav i hjemmeplejen og på "
            "plejehjemmene.",
            "Midlerne til velfærdsteknologi i ældreplejen bør gøres permanente.",
        ),
        quotes=(
            "Hos os i {by} vokser gruppen af ældre over 80 år hurtigere end nogen anden, og "
            "hjemmeplejen kan ikke følge med.",
            "Vi mangler plejeboliger, og det er de ældre og deres pårørende, der betaler prisen.",
            "Ældrereformen er god, men den må ikke blive en ny opgave uden penge.",
            "Vores plejehjem er slidte, og vi kan ikke bygge nyt inden for anlægsloftet.",
        ),
        questions=(
            "Hvordan sikrer vi, at ældrereformen følges af penge til hjemmeplejen?",
            "Hvad gør KL for, at der kan bygges flere plejeboliger til de mange nye ældre?",
            "Kan det demografiske træk på ældreområdet blive fuldt finansieret i år?",
        ),
        challenges=(
            "flere ældre over 80 år og pres på hjemmeplejen",
            "mangel på plejeboliger og plejehjemspladser",
            "finansiering af ældrereformen",
        ),
    ),
    Area(
        key="boern",
        name="Dagtilbud og skoler",
        theme="children_schools",
        sentences=(
            "Minimumsnormeringerne i daginstitutionerne er indfaset, men det er [svært|vanskeligt] "
            "at rekruttere uddannede pædagoger.",
            "Udgifterne til specialundervisning udgør nu {pct} pct. af skolebudgettet, og flere "
            "elever visiteres til specialskoler uden for {kommune}.",
            "Børnetallet falder i landsbyerne, mens der mangler pladser i vuggestuer og børnehaver "
            "i {by}.",
            "Skolekørslen til specialtilbud koster {mio} mio. kr. om året og stiger fortsat.",
            "Folkeskoleaftalen giver skolerne mere frihed, men kommunen skal have råd til at "
            "omsætte den til bedre undervisning i klasserne.",
            "Inklusionen i den almene folkeskole er under pres, fordi flere børn har brug for "
            "særlig støtte i undervisningen.",
            "Kapaciteten i dagtilbud skal udvides med {antal} pladser, fordi børnefamilier flytter "
            "til {by}.",
            "Elevtallet i udskolingen stiger, og flere skoler har brug for nye faglokaler.",
            "Trivslen blandt eleverne er faldet, og skolernes AKT-indsats er [udfordret|presset].",
        ),
        proposals=(
            "Vi foreslår, at udgifterne til specialundervisning indgår som et særskilt emne i "
            "forhandlingerne om {aar}.",
            "KL bør kræve, at minimumsnormeringerne finansieres i takt med det stigende børnetal.",
            "Folkeskoleaftalen skal følges af midler til kompetenceudvikling af lærere og "
            "pædagoger.",
        ),
        quotes=(
            "Specialundervisningen æder skolebudgettet, og det går ud over de almene klasser.",
            "Vi har normeringerne på papiret, men vi kan ikke finde pædagogerne.",
            "Hver gang en elev visiteres til en specialskole, koster skolekørslen os mere.",
        ),
        questions=(
            "Hvordan kan vi få styr på udgifterne til specialundervisning i folkeskolen?",
            "Hvad gør KL for at skaffe flere uddannede pædagoger til daginstitutionerne?",
        ),
        challenges=(
            "stigende udgifter til specialundervisning",
            "rekruttering af pædagoger til minimumsnormeringerne",
            "kapacitet i dagtilbud og skoler",
        ),
    ),
    Area(
        key="social",
        name="Det specialiserede socialområde",
        theme="specialised_social",
        sentences=(
            "Udgifterne til det specialiserede socialområde er steget med {mio} mio. kr. siden "
            "{tidligere}, især på voksenhandicapområdet.",
            "Få dyre enkeltsager kan vælte budgettet i en [mindre|mellemstor] kommune som "
            "{kommune}.",
            "Taksterne på botilbud hos private leverandører stiger mere end pris- og "
            "lønfremskrivningen.",
            "Barnets Lov stiller nye krav til sagsbehandlingen for udsatte børn og unge, og det "
            "kræver flere socialrådgivere.",
            "Antallet af anbringelser er stabilt, men prisen pr. anbringelse er vokset med {pct} "
            "pct.",
            "Flere unge med psykiske vanskeligheder har brug for et socialpsykiatrisk tilbud, og "
            "psykiatrien kan ikke følge med.",
            "Borgere med handicap skal have de rette tilbud, men styringen af området er svær, "
            "når socialtilsynet og Ankestyrelsen sætter rammerne.",
            "{kommune} køber {pct} pct. af sine pladser på botilbud i andre kommuner eller hos "
            "private.",
            "Udgifterne til borgerstyret personlig assistance er fordoblet på få år.",
        ),
        proposals=(
            "Vi foreslår en national finansiering af de dyreste enkeltsager på det "
            "specialiserede socialområde.",
            "KL bør arbejde for færre proceskrav og en reel styring af voksenhandicapområdet.",
            "Taksterne hos private leverandører af botilbud skal kunne sammenlignes og begrænses.",
            "Der bør oprettes en statslig pulje til socialrådgivere, så Barnets Lov kan "
            "gennemføres.",
        ),
        quotes=(
            "Én dyr anbringelse kan koste os det samme som en hel skoleklasse.",
            "Det specialiserede socialområde er den største trussel mod vores budget.",
            "Vi har ingen reel mulighed for at styre taksterne på botilbuddene.",
            "Udsatte børn og unge skal have hjælp, men Barnets Lov skal finansieres.",
        ),
        questions=(
            "Hvornår kommer der en løsning på de stigende udgifter på det specialiserede "
            "socialområde?",
            "Kan KL få regeringen til at tage et større ansvar for de dyreste enkeltsager?",
            "Hvordan får vi styr på taksterne for botilbud hos private leverandører?",
        ),
        challenges=(
            "stigende udgifter på det specialiserede socialområde",
            "dyre enkeltsager og takster på botilbud",
            "krav fra Barnets Lov til sagsbehandlingen",
        ),
    ),
    Area(
        key="beskaeftigelse",
        name="Beskæftigelse",
        theme="employment",
        sentences=(
            "Beskæftigelsesreformen og forenklingen af jobcentrene skal give kommunerne mere "
            "frihed i indsatsen for ledige.",
            "Refusionsomlægningen betyder, at {kommune} bærer en større del af udgifterne til "
            "langvarige forsørgelsesydelser.",
            "Antallet af borgere på sygedagpenge er steget med {pct} pct., og sagerne varer "
            "længere.",
            "Flere borgere i flexjob og ressourceforløb kræver et tæt samarbejde med de lokale "
            "virksomheder.",
            "Vi har stadig {antal} unge under 30 år uden uddannelse eller job.",
            "Ledigheden i {by} er lav, men mange borgere på kontanthjælp er langt fra "
            "arbejdsmarkedet.",
            "Budgetgarantien skal dække de konjunkturafhængige udgifter til dagpenge og "
            "kontanthjælp fuldt ud.",
            "Integrationen af flygtninge på arbejdsmarkedet går godt, men flere har brug for "
            "danskundervisning ved siden af jobbet.",
        ),
        proposals=(
            "Vi foreslår, at besparelsen ved forenklingen af beskæftigelsesindsatsen bliver i "
            "kommunerne til den virksomhedsrettede indsats.",
            "KL bør sikre, at budgetgarantien og beskæftigelsestilskuddet følger den faktiske "
            "ledighed.",
            "Reglerne for sygedagpenge og jobafklaring bør forenkles, så sagsbehandlingen kan "
            "bruges på borgeren.",
        ),
        quotes=(
            "Jobcentrene skal have frihed til at gøre det, der virker for den enkelte ledige.",
            "Vores virksomheder mangler hænder, og vi har borgere på kontanthjælp, der kan "
            "arbejde.",
            "Refusionsreformen rammer os hårdt, fordi mange af vores borgere er på langvarig "
            "forsørgelse.",
        ),
        questions=(
            "Hvad betyder beskæftigelsesreformen for jobcentrenes økonomi?",
            "Hvordan sikrer vi, at budgetgarantien dækker de stigende udgifter til sygedagpenge?",
        ),
        challenges=(
            "stigende udgifter til sygedagpenge og forsørgelse",
            "omstilling af jobcentrene efter beskæftigelsesreformen",
            "unge uden uddannelse eller job",
        ),
    ),
    Area(
        key="sundhed",
        name="Sundhed",
        theme="health",
        sentences=(
            "Sundhedsreformen flytter opgaver fra regionerne til kommunerne, og finansieringen "
            "skal følge med fra første dag.",
            "Den kommunale medfinansiering af sundhedsvæsenet er steget til {mio} mio. kr.",
            "Der mangler praktiserende læger i dele af {kommune}, og borgerne må køre langt til "
            "lægen.",
            "Genoptræning efter udskrivning fylder mere, fordi indlæggelserne på sygehusene "
            "bliver kortere.",
            "Vi vil styrke forebyggelsen og sundhedshusene, så færre borgere bliver indlagt.",
            "Akutfunktionen i hjemmesygeplejen har brug for flere sygeplejersker om natten.",
            "De nye sundhedsråd skal sikre et tæt samarbejde mellem kommunerne, regionen og de "
            "praktiserende læger.",
            "Flere borgere med kroniske sygdomme skal behandles i det nære sundhedsvæsen i "
            "stedet for på sygehuset.",
        ),
        proposals=(
            "Vi foreslår, at opgaver fra sundhedsreformen først overføres, når økonomien er "
            "opgjort og aftalt.",
            "KL bør arbejde for, at kommunerne får indflydelse på lægedækningen i yderområderne.",
            "Det nære sundhedsvæsen skal have en særskilt finansiering uden for servicerammen.",
        ),
        quotes=(
            "Sundhedsreformen kan kun lykkes, hvis pengene følger med opgaverne.",
            "Vores borgere kan ikke få en praktiserende læge tæt på, hvor de bor.",
            "Vi tager imod patienter fra sygehuset, der er langt mere syge end før.",
        ),
        questions=(
            "Hvordan sikrer KL, at kommunerne får fuld finansiering for opgaverne i "
            "sundhedsreformen?",
            "Hvad gør vi ved manglen på praktiserende læger i yderområderne?",
        ),
        challenges=(
            "finansiering af opgaverne i sundhedsreformen",
            "lægedækning og det nære sundhedsvæsen",
            "genoptræning og hjemmesygepleje efter kortere indlæggelser",
        ),
    ),
    Area(
        key="anlaeg",
        name="Anlæg og boliger",
        theme="construction",
        sentences=(
            "Anlægsloftet forhindrer {kommune} i at renovere skoler og daginstitutioner, selv om "
            "kassebeholdningen er der.",
            "Vedligeholdelsesefterslæbet på de kommunale bygninger er opgjort til {mio} mio. kr.",
            "Byggepriserne er steget, så den samme anlægsramme giver færre kvadratmeter.",
            "Befolkningstilvæksten kræver nye skoler, veje og almene boliger i de nye "
            "byudviklingsområder i {by}.",
            "Der skal bygges {antal} nye boliger frem mod {fremtid}, og infrastrukturen skal "
            "følge med.",
            "Boligpriserne i {by} gør det svært for sygeplejersker, pædagoger og social- og "
            "sundhedsassistenter at bosætte sig i kommunen.",
            "Vi har planlagt en ny [letbane|busløsning|cykelsti] og en ny skole, men anlægsrammen "
            "er allerede brugt.",
            "De almene boliger skal renoveres, og kommunen skal stille med grundkapital til nye "
            "almene boliger.",
        ),
        proposals=(
            "Vi foreslår, at anlægsrammen hæves, og at investeringer i grøn omstilling holdes "
            "uden for anlægsloftet.",
            "KL bør arbejde for, at kommuner med stor befolkningstilvækst får en særlig "
            "anlægsramme til skoler og daginstitutioner.",
            "Grundkapitalen til almene boliger bør holdes uden for anlægsloftet.",
        ),
        quotes=(
            "Vi har pengene i kassen, men anlægsloftet forbyder os at bygge de skoler, vi mangler.",
            "Byen vokser, og vi skal bygge boliger, veje og institutioner i et tempo, som "
            "anlægsrammen ikke tillader.",
            "Hvert år skubber vi renoveringen af vores bygninger, og efterslæbet vokser.",
        ),
        questions=(
            "Kan KL få anlægsloftet hævet, så vi kan renovere vores skoler?",
            "Hvordan kan vækstkommuner få plads til nye boliger og institutioner under "
            "anlægsloftet?",
        ),
        challenges=(
            "anlægsloftet og efterslæbet på kommunale bygninger",
            "boliger og infrastruktur i vækstområder",
            "stigende byggepriser",
        ),
    ),
    Area(
        key="klima",
        name="Klima og grøn omstilling",
        theme="climate",
        sentences=(
            "Klimatilpasning og kystbeskyttelse koster {kommune} op mod {mio} mio. kr. over de "
            "næste ti år.",
            "Den grønne trepart giver kommunerne en central rolle i omlægningen af landbrugsjord, "
            "og det kræver ressourcer til planlægning.",
            "Skybrud og oversvømmelser har vist, at kloakkerne ikke er dimensioneret til "
            "fremtidens regnmængder.",
            "Vi vil bidrage til vedvarende energi med solceller og vindmøller, men borgerne skal "
            "kunne se en lokal gevinst.",
            "Klimahandleplanen skal finansieres, hvis målet om at reducere CO2-udledningen med "
            "{pct} pct. skal nås.",
            "Udtagning af lavbundsjorde og beskyttelse af grundvandet kræver lokale projekter og "
            "flere medarbejdere.",
            "Stormfloden ramte {by} hårdt, og diger og kystsikring skal forstærkes.",
            "Den kollektive trafik i landdistrikterne er en forudsætning for den grønne "
            "omstilling, men buslinjerne lukker.",
        ),
        proposals=(
            "Vi foreslår en statslig medfinansiering af kystbeskyttelse og klimatilpasning.",
            "KL bør sikre, at kommunernes opgaver i den grønne trepart finansieres fuldt ud.",
            "Grønne investeringer i energirenovering og vedvarende energi bør holdes uden for "
            "anlægsloftet.",
        ),
        quotes=(
            "Havet stiger, og vi kan ikke betale kystbeskyttelsen alene.",
            "Den grønne trepart lægger et kæmpe arbejde hos kommunerne, og det skal finansieres.",
            "Skybruddene kommer oftere, og vores kloakker er ikke bygget til det.",
        ),
        questions=(
            "Hvem skal betale for kystbeskyttelse og klimatilpasning i de udsatte kommuner?",
            "Hvordan bliver kommunernes opgaver i den grønne trepart finansieret?",
        ),
        challenges=(
            "klimatilpasning, kystbeskyttelse og skybrud",
            "kommunernes rolle i den grønne trepart",
            "kollektiv trafik i landdistrikterne",
        ),
    ),
    Area(
        key="digitalisering",
        name="Digitalisering",
        theme="digitalisation",
        sentences=(
            "Kunstig intelligens kan frigøre tid i sagsbehandlingen, men investeringerne skal "
            "finansieres op front.",
            "Udgifterne til licenser og it-systemer er steget med {pct} pct., uden at kommunen har "
            "fået mere ud af dem.",
            "Cybersikkerhed og nye krav til databeskyttelse kræver flere it-specialister.",
            "Fællesoffentlige digitale løsninger skal virke på tværs af kommuner og regioner.",
            "Automatisering af rutineopgaver i økonomi og løn er et af vores vigtigste "
            "effektiviseringsgreb.",
            "Digitale løsninger i hjemmeplejen og på jobcentret skal frigive tid til borgerne.",
            "Overgangen til nye fælleskommunale it-systemer har kostet {kommune} {mio} mio. kr. "
            "mere end forventet.",
        ),
        proposals=(
            "Vi foreslår en fælles investeringsfond for kunstig intelligens og automatisering i "
            "kommunerne.",
            "KL bør forhandle fælles aftaler om licenser til it-systemer, så priserne holdes nede.",
            "Krav om cybersikkerhed fra staten skal følges af finansiering.",
        ),
        quotes=(
            "Kunstig intelligens kan hjælpe os, men nogen skal betale for at komme i gang.",
            "Licenserne til vores it-systemer stiger hvert år, uden at vi får mere for pengene.",
        ),
        questions=(
            "Hvordan kan kommunerne bruge kunstig intelligens i sagsbehandlingen uden at miste "
            "kontrollen?",
            "Kan KL forhandle billigere licenser til de fælleskommunale it-systemer?",
        ),
        challenges=(
            "investeringer i kunstig intelligens og automatisering",
            "stigende udgifter til licenser og cybersikkerhed",
        ),
    ),
    Area(
        key="budget",
        name="Budgetkoordinering og serviceramme",
        theme="economic_framework",
        sentences=(
            "Servicerammen skal løftes med mindst den demografiske udvikling, ellers bliver der "
            "skåret i kernevelfærden.",
            "{kommune} har overholdt budgettet i flere år, men råderummet er nu brugt op.",
            "Sanktionsloftet i budgetloven gør det svært at bruge opsparede midler til lokale "
            "prioriteringer.",
            "I den fælles budgetkoordinering bør der være plads til, at kommuner med stor vækst "
            "budgetterer med et højere serviceniveau.",
            "Pris- og lønfremskrivningen har ikke fulgt med de faktiske udgifter til energi og "
            "materialer.",
            "Vi har budgetteret med et mindreforbrug på {mio} mio. kr. for at hjælpe den samlede "
            "overholdelse af aftalen.",
            "Budget {aar} er vedtaget med besparelser på {mio} mio. kr., og der er ikke flere "
            "lette løsninger.",
            "Likviditeten er faldet til {mio} mio. kr., og kassekreditreglen sætter snart en "
            "grænse.",
        ),
        proposals=(
            "Vi foreslår, at servicerammen for {aar} løftes med det fulde demografiske træk.",
            "KL bør arbejde for, at sanktionerne i budgetloven gøres individuelle frem for "
            "kollektive.",
            "Den fælles budgetkoordinering bør tage højde for kommuner, der har sparet op til "
            "investeringer.",
        ),
        quotes=(
            "Servicerammen er for stram, og borgerne mærker det i hverdagen.",
            "Vi sparer og sparer, men demografien løber fra os.",
            "Budgetkoordineringen straffer de kommuner, der har sparet op.",
        ),
        questions=(
            "Hvordan fordeles servicerammen i den fælles budgetkoordinering i år?",
            "Kan sanktionerne i budgetloven gøres individuelle?",
        ),
        challenges=(
            "en for stram serviceramme",
            "sanktioner og budgetkoordinering",
            "stigende priser på energi og materialer",
        ),
    ),
    Area(
        key="udligning",
        name="Udligning og tilskud",
        theme="economic_framework",
        sentences=(
            "Udligningsreformen har ikke rettet op på forskellene mellem yderkommuner og "
            "vækstkommuner.",
            "Et lavt beskatningsgrundlag betyder, at {kommune} er afhængig af bloktilskud og "
            "særtilskud.",
            "Skatteprocenten i {kommune} er allerede {skat} pct., så der er ikke mere at hente ved "
            "at hæve skatten.",
            "Tilskudspuljen til vanskeligt stillede kommuner er afgørende for vores budget.",
            "Hovedstadsudligningen og landsudligningen trækker i hver sin retning, og det "
            "mærkes i budgettet.",
            "Grundskylden og de nye ejendomsvurderinger har gjort skatteindtægterne mere usikre.",
        ),
        proposals=(
            "Vi foreslår, at tilskudspuljen til vanskeligt stillede kommuner bliver permanent.",
            "KL bør arbejde for en evaluering af udligningsreformen.",
            "Bloktilskuddet skal reguleres, så usikkerheden om skatteindtægterne ikke rammer "
            "kommunerne.",
        ),
        quotes=(
            "Udligningen skal sikre, at en borger i en yderkommune får den samme service.",
            "Vores skatteprocent er i top, og alligevel kan vi ikke få budgettet til at hænge "
            "sammen.",
        ),
        questions=(
            "Hvornår bliver udligningsreformen evalueret?",
            "Bliver tilskudspuljen til vanskeligt stillede kommuner videreført?",
        ),
        challenges=(
            "skævheder i udligningen",
            "afhængighed af bloktilskud og særtilskud",
        ),
    ),
    Area(
        key="demografi",
        name="Demografi",
        theme="economic_framework",
        sentences=(
            "Befolkningsprognosen viser {pct} pct. færre borgere i den erhvervsaktive alder i "
            "{fremtid}.",
            "Fraflytningen fra landdistrikterne betyder færre skatteydere til at finansiere "
            "flere ældre.",
            "Demografireguleringen skal afspejle, at udgiftspresset kommer fra de ældste "
            "aldersgrupper.",
            "Forsørgerbyrden stiger i {kommune}, fordi de unge flytter til de store byer.",
            "Vi mister hvert år omkring {antal} indbyggere i den erhvervsaktive alder.",
            "Færre børn og flere ældre ændrer behovet for både skoler og plejeboliger i "
            "landsbyerne.",
        ),
        proposals=(
            "Vi foreslår, at demografireguleringen beregnes med de faktiske udgifter til de "
            "ældste aldersgrupper.",
            "KL bør arbejde for en landdistriktspulje til kommuner med faldende befolkningstal.",
        ),
        quotes=(
            "Vi bliver færre til at løfte flere, og det kan ikke fortsætte.",
            "De unge flytter, og de ældre bliver, og det er hele vores økonomi i én sætning.",
        ),
        questions=(
            "Hvordan tager økonomiaftalen højde for kommuner med faldende befolkningstal?",
            "Bliver demografireguleringen beregnet på de faktiske udgifter i år?",
        ),
        challenges=(
            "faldende befolkningstal og fraflytning",
            "stigende forsørgerbyrde",
        ),
    ),
    Area(
        key="rekruttering",
        name="Rekruttering",
        theme="other",
        sentences=(
            "Vikarudgifterne er steget til {mio} mio. kr., fordi vi ikke kan besætte faste "
            "stillinger.",
            "Manglen på social- og sundhedsassistenter er den største enkeltstående udfordring "
            "for velfærden i {kommune}.",
            "Vi har øget antallet af uddannelsespladser, men for mange elever falder fra "
            "uddannelsen.",
            "Fastholdelse af medarbejdere kræver et bedre arbejdsmiljø og færre "
            "dokumentationskrav.",
            "Hver {brok} stilling som sygeplejerske står ubesat i mere end tre måneder.",
            "Rekrutteringen af udenlandsk arbejdskraft til plejesektoren er kommet i gang, men "
            "den kræver sprogundervisning og boliger.",
        ),
        proposals=(
            "Vi foreslår et fælles løft af uddannelsespladserne til social- og "
            "sundhedsassistenter.",
            "KL bør arbejde for lettere adgang til udenlandsk arbejdskraft i velfærdsfagene.",
        ),
        quotes=(
            "Vi kan ikke ansætte os ud af problemerne, for medarbejderne findes ikke.",
            "Vikarerne koster det dobbelte, og borgerne møder nye ansigter hver dag.",
        ),
        questions=(
            "Hvad gør KL for at løse manglen på medarbejdere i velfærdsfagene?",
            "Hvordan fastholder vi de social- og sundhedsassistenter, vi har?",
        ),
        challenges=(
            "mangel på medarbejdere i velfærdsfagene",
            "stigende vikarudgifter",
        ),
    ),
)

AREAS_BY_KEY = {area.key: area for area in AREAS}

# What each region leans towards; the other areas weigh 1.
REGION_EMPHASIS: dict[int, dict[str, float]] = {
    1081: {"demografi": 5, "rekruttering": 5, "aeldre": 3, "udligning": 2},  # Nordjylland
    1082: {"klima": 5, "digitalisering": 3.5, "beskaeftigelse": 2},  # Midtjylland
    1083: {"social": 5.5, "beskaeftigelse": 2.5, "udligning": 2},  # Syddanmark
    1084: {"anlaeg": 5.5, "boern": 3, "budget": 2},  # Hovedstaden
    1085: {"sundhed": 5, "beskaeftigelse": 3, "udligning": 2},  # Sjælland
}

REGION_NAMES = {
    1081: "Nordjylland",
    1082: "Midtjylland",
    1083: "Syddanmark",
    1084: "Hovedstaden",
    1085: "Sjælland",
}

OPENINGS = (
    "Kommunalbestyrelsen i {kommune} har drøftet økonomien for {aar} på et temamøde.",
    "{kommune} står over for et budget {aar}, der [er det mest pressede i mange år|kræver "
    "svære prioriteringer].",
    "Økonomiudvalget i {kommune} har behandlet input til økonomiforhandlingerne om {aar}.",
    "Det er afgørende, at økonomiaftalen for {aar} giver et realistisk udgangspunkt for "
    "budgetlægningen i {kommune}.",
    "{kommune} har i {forrige} haft et regnskab i balance, men udsigterne for {aar} er mere "
    "usikre.",
)
CLOSINGS = (
    "Vi ser frem til, at KL tager vores input med i forhandlingerne med regeringen.",
    "Kommunalbestyrelsen stiller sig gerne til rådighed for uddybning.",
    "Vi håber, at vores bemærkninger kan bruges i KL's forberedelse af økonomiforhandlingerne.",
)
SPEAKER_ROLES = (
    "Borgmester",
    "Borgmester",
    "Viceborgmester",
    "Formand for økonomiudvalget",
    "Formand for social- og sundhedsudvalget",
    "Kommunalbestyrelsesmedlem",
)
SPEAKER_TOPICS = (
    ("Økonomiforhandlingerne om {aar} og kommunens budget", "Kommunalbestyrelsen"),
    ("Det specialiserede socialområde og styringen af udgifterne", "Økonomiudvalget"),
    ("Ældreområdet efter ældrereformen", "Social- og sundhedsudvalget"),
    ("Anlægsloftet og kommunens investeringer", "Kommunalbestyrelsen"),
    ("Den grønne trepart og kommunens rolle", "Teknik- og miljøudvalget"),
    ("Sundhedsreformen og det nære sundhedsvæsen", "Kommunalbestyrelsen og direktionen"),
)

_ALTERNATIVES = re.compile(r"\[([^\[\]]+)\]")


class _Municipal(Protocol):
    name: str


@dataclass(frozen=True)
class Place:
    """A municipality as the generator needs it: its name and its region's code."""

    name: str
    region_code: int

    @property
    def official_name(self) -> str:
        """ "Aalborg Kommune", "Københavns Kommune", "Bornholms Regionskommune"."""
        return {
            "København": "Københavns Kommune",
            "Bornholm": "Bornholms Regionskommune",
        }.get(self.name, f"{self.name} Kommune")


@functools.cache
def places() -> tuple[Place, ...]:
    """The 98 municipalities of the directory's data file."""
    with DATA.open(encoding="utf-8", newline="") as handle:
        return tuple(Place(row["name"], int(row["region_code"])) for row in csv.DictReader(handle))


def place_of(municipality: Place | _Municipal) -> Place:
    """A `Place` for a directory.Municipality (or a Place)."""
    if isinstance(municipality, Place):
        return municipality
    region = getattr(municipality, "region", None)
    return Place(municipality.name, getattr(region, "code", 0))


def _region_code(region: object) -> int:
    return region if isinstance(region, int) else int(getattr(region, "code", 0))


def _number(value: float, decimals: int = 1) -> str:
    """A Danish number: decimal comma, point between thousands."""
    text = f"{value:,.{decimals}f}".replace(",", "§").replace(".", ",").replace("§", ".")
    return text.removesuffix(",0") if decimals == 1 else text


class _Slots(dict):
    """The values of a sentence's {slots}, drawn afresh each time one is read."""

    def __init__(self, rng: random.Random, place: Place, year: int) -> None:
        super().__init__()
        self.rng, self.place, self.year = rng, place, year

    def __missing__(self, key: str) -> str:
        rng = self.rng
        match key:
            case "kommune":
                return self.place.official_name
            case "by":
                return self.place.name
            case "region":
                return REGION_NAMES.get(self.place.region_code, "regionen")
            case "aar":
                return str(self.year)
            case "forrige":
                return str(self.year - 2)
            case "tidligere":
                return str(self.year - rng.randint(4, 8))
            case "fremtid":
                return str(self.year + rng.choice([4, 5, 9, 14]))
            case "mio":
                return _number(rng.choice([rng.uniform(2, 30), rng.uniform(10, 180)]))
            case "pct":
                return _number(rng.uniform(1.5, 24))
            case "skat":
                return _number(rng.uniform(24.2, 26.3))
            case "antal":
                return str(rng.choice([rng.randint(12, 90), rng.randint(40, 400)]))
            case "uger":
                return str(rng.randint(4, 30))
            case "brok":
                return rng.choice(["fjerde", "femte", "tredje"])
        raise KeyError(key)


def _fill(template: str, rng: random.Random, place: Place, year: int) -> str:
    text = _ALTERNATIVES.sub(lambda match: rng.choice(match.group(1).split("|")), template)
    return text.format_map(_Slots(rng, place, year))


def _emphasis(region_code: int) -> dict[str, float]:
    weights = {area.key: 1.0 for area in AREAS}
    weights.update(REGION_EMPHASIS.get(region_code, {}))
    return weights


def profile(place: Place, rng: random.Random, *, size: int = 3) -> list[Area]:
    """The areas that press a municipality most, most pressing first (its region leans in)."""
    weights = _emphasis(place.region_code)
    chosen: list[Area] = []
    keys = list(weights)
    while len(chosen) < size:
        key = rng.choices(keys, [weights[k] for k in keys])[0]
        keys.remove(key)
        chosen.append(AREAS_BY_KEY[key])
    return chosen


class _Picker:
    """Sentences from banks without repeating one before the bank is used up."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: dict[int, set[int]] = {}

    def pick(self, bank: Sequence[str]) -> str:
        used = self.used.setdefault(id(bank), set())
        if len(used) >= len(bank):
            used.clear()
        index = self.rng.choice([i for i in range(len(bank)) if i not in used])
        used.add(index)
        return bank[index]


def _words(text: str) -> int:
    return len(text.split())


def document(
    place: Place, rng: random.Random, *, words: int = 400, year: int = DEFAULT_YEAR
) -> str:
    """One text of about `words` words from `place`, mostly about its most pressing areas."""
    areas = profile(place, rng, size=rng.randint(2, 4))
    weights = [4.0, 2.5, 1.5, 1.0][: len(areas)]
    picker = _Picker(rng)
    paragraphs: list[list[str]] = [[_fill(picker.pick(OPENINGS), rng, place, year)]]
    count = _words(paragraphs[0][0])
    while count < words:
        if len(paragraphs[-1]) >= rng.randint(3, 5):
            paragraphs.append([])
        roll = rng.random()
        if roll < 0.06:
            bank: Sequence[str] = CLOSINGS
        else:
            area = rng.choices(areas, weights)[0]
            bank = area.proposals if roll < 0.25 else area.sentences
        sentence = _fill(picker.pick(bank), rng, place, year)
        paragraphs[-1].append(sentence)
        count += _words(sentence)
    return "\n\n".join(" ".join(sentences) for sentences in paragraphs if sentences)


def generate_documents(n: int, words: int = 400, seed: int = 0) -> list[str]:
    """`n` Danish texts of about `words` words each, from municipalities across the regions.

    Deterministic: the same arguments give the same texts.
    """
    rng = random.Random(seed)  # noqa: S311  (made-up text, not security)
    everywhere = places()
    return [document(rng.choice(everywhere), rng, words=words) for _ in range(n)]


# --- What the demo scenario writes ------------------------------------------------------


def _sentences(
    bank: Sequence[str], count: int, rng: random.Random, place: Place, year: int
) -> list[str]:
    return [_fill(t, rng, place, year) for t in rng.sample(list(bank), min(count, len(bank)))]


def council_input_text(
    municipality: Place | _Municipal, rng: random.Random, *, year: int = DEFAULT_YEAR
) -> dict:
    """The fields of a council's input form, as a municipality under pressure would fill them.

    Returns economic_situation, proposals, budget_remarks (text) and ratings:
    {theme key: (pressure 1–5, comment)} for the round's default themes.
    """
    place = place_of(municipality)
    areas = profile(place, rng, size=3)
    picker = _Picker(rng)
    opening = _fill(picker.pick(OPENINGS), rng, place, year)
    paragraphs = [
        " ".join([opening, *_sentences(areas[0].sentences, 3, rng, place, year)]),
        " ".join(_sentences(areas[1].sentences, 2, rng, place, year)),
        " ".join(
            [
                *_sentences(areas[2].sentences, 2, rng, place, year),
                _fill(picker.pick(CLOSINGS), rng, place, year),
            ]
        ),
    ]
    proposals = [
        _fill(rng.choice(area.proposals), rng, place, year) for area in areas
    ] + _sentences(AREAS_BY_KEY["budget"].proposals, 1, rng, place, year)
    budget = AREAS_BY_KEY["budget"]
    remarks = _sentences(budget.sentences, 2, rng, place, year)
    if rng.random() < 0.5:
        remarks += _sentences(AREAS_BY_KEY["udligning"].sentences, 1, rng, place, year)

    ratings: dict[str, tuple[int, str]] = {}
    pressing = {area.theme: rank for rank, area in reversed(list(enumerate(areas)))}
    for theme in dict.fromkeys(area.theme for area in AREAS):
        if theme == "other":
            continue
        if theme in pressing:
            rating = 5 - pressing[theme] if rng.random() < 0.8 else 4
            area = next(a for a in areas if a.theme == theme)
            ratings[theme] = (rating, _fill(rng.choice(area.sentences), rng, place, year))
        else:
            ratings[theme] = (rng.choice([1, 2, 2, 3, 3, 3]), "")
    return {
        "economic_situation": "\n\n".join(paragraphs),
        "proposals": "\n".join(f"- {p}" for p in dict.fromkeys(proposals)),
        "budget_remarks": " ".join(remarks),
        "ratings": ratings,
    }


def council_input_revision(
    municipality: Place | _Municipal, rng: random.Random, *, year: int = DEFAULT_YEAR
) -> str:
    """A paragraph a council adds when it submits its input again."""
    place = place_of(municipality)
    area = profile(place, rng, size=1)[0]
    added = _sentences(area.sentences, 2, rng, place, year)
    return "Tilføjet efter kommunalbestyrelsens møde: " + " ".join(added)


@dataclass(frozen=True)
class QuoteText:
    text: str
    speaker_role: str
    municipality: Place


@dataclass(frozen=True)
class KkrText:
    summary: str
    challenges: str
    theme_keys: list[str]  # rounds.Theme keys the discussion touched
    quotes: list[QuoteText]


def kkr_summary(
    region: object,
    rng: random.Random,
    *,
    municipalities: Sequence[Place | _Municipal] = (),
    year: int = DEFAULT_YEAR,
    quotes: int | None = None,
) -> KkrText:
    """What a KKR said about the round: summary, challenges, themes and 2–4 quotes.

    `region` is a region code or a directory.Region; `municipalities` are its
    municipalities (the quotes come from them; default: the data file's).
    """
    code = _region_code(region)
    members = [place_of(m) for m in municipalities] or [
        p for p in places() if p.region_code == code
    ]
    members = members or list(places())
    host = rng.choice(members)
    areas = profile(Place(host.name, code), rng, size=3)
    name = REGION_NAMES.get(code, "regionen")
    summary = [
        f"KKR {name} drøftede forberedelsen af økonomiforhandlingerne om {year} med "
        f"udgangspunkt i KL's oplæg.",
        f"Drøftelsen samlede sig om {areas[0].name.lower()}, {areas[1].name.lower()} og "
        f"{areas[2].name.lower()}.",
    ]
    for area in areas:
        place = rng.choice(members)
        summary += _sentences(area.sentences, 2, rng, place, year)
    summary.append(
        rng.choice(
            [
                "Rådet bakkede op om, at KL prioriterer en realistisk serviceramme i "
                "forhandlingerne.",
                "Der var bred enighed om, at kommunernes økonomi er mere presset end i tidligere "
                "år.",
                "Flere borgmestre understregede, at nye opgaver skal følges af fuld finansiering.",
            ]
        )
    )
    challenges = [rng.choice(area.challenges) for area in areas]
    count = quotes if quotes is not None else rng.randint(2, 4)
    quote_texts = []
    for n in range(count):
        area = areas[n % len(areas)]
        place = rng.choice(members)
        quote_texts.append(
            QuoteText(
                text=_fill(rng.choice(area.quotes), rng, place, year),
                speaker_role=rng.choice(SPEAKER_ROLES),
                municipality=place,
            )
        )
    return KkrText(
        summary=" ".join(summary),
        challenges="\n".join(f"- {c[0].upper()}{c[1:]}" for c in challenges),
        theme_keys=list(dict.fromkeys(area.theme for area in areas)),
        quotes=quote_texts,
    )


def advance_question(rng: random.Random, *, region: object = None, year: int = DEFAULT_YEAR) -> str:
    """A council member's question or theme for the large meeting, one or two sentences."""
    code = _region_code(region) if region is not None else 0
    weights = _emphasis(code)
    area = rng.choices(AREAS, [weights[a.key] for a in AREAS])[0]
    question = rng.choice(area.questions)
    if rng.random() < 0.35:
        place = rng.choice([p for p in places() if p.region_code == code] or list(places()))
        context = _fill(rng.choice(area.sentences), rng, place, year)
        return f"{context} {question}"
    return question


def presenter_notes(
    municipality: Place | _Municipal, rng: random.Random, *, year: int = DEFAULT_YEAR
) -> str:
    """What a KL presenter writes after presenting to a council."""
    place = place_of(municipality)
    areas = profile(place, rng, size=2)
    lines = [
        f"Oplæg for kommunalbestyrelsen i {place.official_name} om økonomiforhandlingerne "
        f"for {year}. God og engageret drøftelse.",
        f"Kommunalbestyrelsen lagde især vægt på {areas[0].name.lower()}: "
        + _fill(rng.choice(areas[0].sentences), rng, place, year),
        f"Der blev også spurgt til {areas[1].name.lower()}: "
        + _fill(rng.choice(areas[1].questions), rng, place, year),
        "Kommunen sender sit skriftlige input inden fristen.",
    ]
    return "\n".join(lines)


def speaker_topic(rng: random.Random, *, year: int = DEFAULT_YEAR) -> tuple[str, str]:
    """(topic, audience) of a speaker request."""
    topic, audience = rng.choice(SPEAKER_TOPICS)
    return topic.format(aar=year), audience


def inbound_email(
    municipality: Place | _Municipal,
    rng: random.Random,
    *,
    sender: str,
    year: int = DEFAULT_YEAR,
    code: str = "",
) -> dict[str, str]:
    """The subject and body of a Danish letter a municipality emails KL with its input."""
    place = place_of(municipality)
    code = code or f"ØA{str(year)[2:]}"
    areas = profile(place, rng, size=2)
    body = [
        "Kære KL",
        f"Hermed fremsendes {place.official_name}s input til forberedelsen af {code}. "
        f"Kommunalbestyrelsen har drøftet sagen på sit seneste møde.",
        " ".join(
            [
                _fill(rng.choice(OPENINGS), rng, place, year),
                *_sentences(areas[0].sentences, 2, rng, place, year),
            ]
        ),
        " ".join(_sentences(areas[1].sentences, 2, rng, place, year)),
        "Vores forslag til forhandlingerne: "
        + _fill(rng.choice(areas[0].proposals), rng, place, year),
        "Med venlig hilsen",
        sender,
    ]
    subject = rng.choice(
        [
            f"Input fra {place.official_name} til {code}",
            f"{code} – bemærkninger fra {place.official_name}",
            f"Kommunalbestyrelsens input til økonomiforhandlingerne {year}",
        ]
    )
    return {"subject": subject, "body": "\n\n".join(body)}
