"""Answers to the offer itself: later, no, yes (and the few "who are you?" replies).

`NEGATED_INTEREST` phrases ("not interested", "kein Interesse") are blanked before the
`INTERESTED` rules run, so their "interested" does not count for the other side.
See `rules.py` for how rules score.
"""

from __future__ import annotations

from salesauto.replies.rules import compile_rules

NOT_NOW = compile_rules(
    (
        3,
        r"not (before|until) (the )?(spring|summer|autumn|fall|winter|next|january|february|"
        r"march|april|may|june|july|august|september|october|november|december|q[1-4])|"
        r"(maybe|perhaps|possibly) (in )?(q[1-4]|next|the new year|spring|summer|fall|autumn)|"
        r"(in|after) the new year|too early|not yet\b|(is|are) (packed|full|booked)",
    ),
    (2, r"\bq[1-4]\b"),
    (3, r"\b(in|until|till) 20\d\d\b"),
    (
        3,
        r"(au|le) prochain (trimestre|semestre)|apr[èe]s (les f[êe]tes|l'[ée]t[ée]|les vacances)|"
        r"(ersten|zweiten|dritten|vierten|n[äa]chsten) (quartal|halbjahr)|"
        r"(el )?a[ñn]o que viene|(lo )?retomamos|m[áa]s tarde",
    ),
    (
        3,
        r"not (right )?now|not at (the|this) (moment|time|point)|not (a )?(good|great|right) "
        r"time|bad timing|timing (isn'?t|is not|is off)|(maybe|perhaps|possibly) later",
    ),
    (
        3,
        r"(next|later this|in a few|in) (year|quarter|months?|q[1-4]|spring|summer|fall|"
        r"autumn|winter|january|september)|\b(in|until|during|for) q[1-4]\b|\bh[12]\b",
    ),
    (2, r"in a (few|couple( of)?) weeks|(this|next) (fiscal|financial) year"),
    (
        3,
        r"in (\d+|two|three|four|six|a couple of|a few) (months|quarters)|circle back|"
        r"check back|(until|till) (the end of )?(january|february|march|april|may|june|july|"
        r"august|september|october|november|december|next|q[1-4])",
    ),
    (
        3,
        r"(reach|circle|check|follow|get) (back|up)( with me)?( in| after| later| again| "
        r"next| around)|(reconnect|revisit|touch base|ping me)( again)?( in| after| later| "
        r"next)|after (the )?(summer|holidays|budget|new year)",
    ),
    (1, r"\b(currently|at the moment|right now|for now|this year)\b"),
    (
        3,
        r"not this (quarter|year|month|half)|(try|ask|ping|contact|email|write) (me|us) "
        r"(again )?(in|next|after|later|around)|later (in|this) (the )?year|(re)?connect after|"
        r"after (that|then|this)|heads[- ]down|no (bandwidth|capacity)",
    ),
    (
        3,
        r"(on )?en (re)?parle(r|ons)? (en|dans|apr[èe]s|plus|[àa] la)|(en|d[èe]s) "
        r"(janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|"
        r"novembre|d[ée]cembre)\b|pas le bon moment|trop t[ôo]t",
    ),
    (
        3,
        r"nach (dem|den) (sommer|urlaub|ferien|jahreswechsel|quartal)|keine (kapazit[äa]t|"
        r"zeit)|(im|ab) (januar|februar|m[äa]rz|april|mai|juni|juli|august|september|"
        r"oktober|november|dezember)\b|(n[äa]chsten|kommenden) (jahr|quartal|monat)",
    ),
    (
        3,
        r"despu[ée]s (del|de las) (verano|vacaciones|fiestas)|muy (liados|ocupados|liado|"
        r"ocupado)|en (enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|"
        r"noviembre|diciembre)\b|no es el momento",
    ),
    (2, r"budget (is )?(frozen|freeze|already)|no budget (this|until|right)"),
    (
        3,
        r"pas (pour le |en ce )?moment|pas maintenant|plus tard|(l'|l')ann[ée]e prochaine|"
        r"dans (quelques|\d+|six|trois) mois|(au|d'ici le|le) (prochain )?(trimestre|"
        r"semestre|printemps|automne|rentr[ée]e)|recontact(ez|er)[- ]?(moi|nous)? (dans|"
        r"plus|en|apr[èe]s|l'|l')|revenez vers (moi|nous) (dans|en|apr[èe]s|plus)",
    ),
    (1, r"actuellement|pour l'instant|en ce moment"),
    (
        3,
        r"(derzeit|aktuell|momentan|im moment|zurzeit) (kein|nicht)|sp[äa]ter|"
        r"n[äa]chste[nms]? (jahr|quartal|monat)|im (n[äa]chsten )?(herbst|fr[üu]hjahr|"
        r"sommer|winter|q[1-4])|in (ein paar|einigen|\d+|drei|sechs) (monaten|wochen)|"
        r"melden sie sich (gerne )?(wieder|nochmal|sp[äa]ter|im)",
    ),
    (
        3,
        r"ahora (mismo )?no|no es (buen|el) momento|m[áa]s adelante|(el )?pr[óo]ximo (a[ñn]o|"
        r"trimestre|mes)|dentro de (unos|\d+|seis|tres) meses|en (unos|\d+) meses|"
        r"despu[ée]s del verano|vuelva a (contactar|escribir)(nos|me)? (en|m[áa]s|despu)",
    ),
    (1, r"de momento|por ahora|actualmente|en este momento"),
)
NEGATED_INTEREST = compile_rules(
    (
        3,
        r"(doesn'?t|does not|won'?t) (apply|fit)|already (covered|sorted|taken care)|"
        r"the answer is no|stick(ing)? with|stay(ing)? with (our|what)|"
        r"(happy|satisfied|content) with (what|our|the)|no (real )?(interest|need)",
    ),
    (
        3,
        r"pas (un sujet|une priorit[ée]|d'actualit[ée]) pour nous|satisfaits? (de|avec) notre|"
        r"(sehr |voll )?zufrieden mit|mit (unserer|unserem|der|dem)\b.{0,40}\bzufrieden|"
        r"no (nos |me )?encaja|contentos con",
    ),
    (
        3,
        r"not (really |at all )?interested|no interest|n'?t (be )?interested|uninterested|"
        r"(we'?re|i'?m|we are|i am) (all set|good|covered|happy with)|no,? thank(s| you)|"
        r"(not|n'?t|isn'?t|is not|wouldn'?t be) (a )?(good |great )?(fit|priority|relevant|for us)|"
        r"no need|(hard|i'?ll|we'?ll|going to) pass|not (something|what) (we|i)('re| are|'m| am) "
        r"looking|(don'?t|do not) need|pass on this|"
        r"we(('?ll)| will) pass|(already|currently) (use|using|have|work with|working with)|"
        r"(already|just) (signed|chose|chosen|went with|partnered)",
    ),
    (
        3,
        r"pas int[ée]ress[ée]|ne (nous |m'|me )int[ée]resse(nt)? pas|aucun int[ée]r[êe]t|non merci|"
        r"pas (de|d')(besoin|int[ée]r[êe]t)|pas pour nous|(d[ée]j[àa]|avons) (un|une|des) "
        r"(solution|prestataire|outil|partenaire|fournisseur)|nous n'avons pas besoin|"
        r"(ne|n') (sommes|suis) pas (preneur|concern)",
    ),
    (
        3,
        r"no use for|(handle|do|solve|manage|build) (this|it|that)( all)? (internally|in-?house)|"
        r"(went|go|going|decided to go) with (another|a different|someone else|\w+ instead)|"
        r"(don'?t|do not) bother|not (looking|planning) to (change|switch|buy)|"
        r"no (requirement|demand|appetite)",
    ),
    (
        3,
        r"(travaillons|sommes) d[ée]j[àa] (avec|[ée]quip)|en interne|ce n'est pas pour nous|"
        r"pas (de|d') (besoin|int[ée]r[êe]t)|ne (sommes|suis) pas int",
    ),
    (
        3,
        r"\bintern\b|l[öo]sen (das|dies) (selbst|intern)|(haben|nutzen) (bereits|schon)|"
        r"kein(e|en)? verwendung|nicht n[öo]tig",
    ),
    (
        3,
        r"no (es|son) (algo )?(que|lo que) necesit|internamente|no (lo )?necesit|no nos hace falta",
    ),
    (
        3,
        r"kein(e|en)? (interesse|bedarf)|nicht interessiert|brauchen (wir|ich) nicht|"
        r"nein,? danke|haben (bereits|schon) (eine|einen|ein)|(passt|ist) nicht (f[üu]r uns|"
        r"zu uns)|nicht relevant|kein thema",
    ),
    (
        3,
        r"no (me|nos) interesa|no (estamos|estoy) interesad|no,? gracias|no necesitamos|"
        r"ya (tenemos|contamos|trabajamos)|no es para nosotros|sin inter[ée]s|no aplica",
    ),
)
NOT_INTERESTED = [(weight, pattern) for weight, pattern in NEGATED_INTEREST] + compile_rules(
    (2, r"(?m)^\W*(no|non|nein|nope)\W*$|\bnot for (us|me)\b|\bno thank"),
    (1, r"\b(we'?re|we are) (good|fine)\b|not looking|won'?t be (moving|needing|pursuing)"),
    (2, r"\bne pas donner suite|pas de suite|pas donner suite|kein weiterer|no procede"),
)
INTERESTED = compile_rules(
    (
        3,
        r"open to (a |an )?(conversation|call|chat|meeting|intro|discussion)|(happy|glad) to "
        r"(take|have|set up|book) (a )?(meeting|call)|do you (integrate|support|work with|"
        r"offer|connect)|does (it|this|your \w+) (integrate|support|work with)|"
        r"\b(do|have|hop on|jump on|get on) a (quick |short )?(call|meeting|demo|chat)",
    ),
    (
        3,
        r"d'accord pour (un|une)|pouvons-nous ([ée]changer|parler|nous voir)|"
        r"(ist|w[äa]re) (f[üu]r uns )?(relevant|interessant)|unterlagen|"
        r"ll[áa]m(e|a)me|podr[íi]amos ver|qu[ée] d[íi]a (le|te) viene",
    ),
    (
        3,
        r"\binterested\b|sounds (good|great|interesting|promising)|(happy|glad|keen|open) to "
        r"(chat|talk|connect|learn|hear|discuss|take a look|jump on)|let'?s (talk|chat|"
        r"connect|set up|schedule|find|do it|book)",
    ),
    (
        3,
        r"(book|schedule|set up|arrange|find) (a |some )?(time|call|meeting|demo|slot)|"
        r"(send|share)\b.{0,30}\b(info|information|details|deck|pricing|case stud|"
        r"proposal|brochure|overview|one-pager)|calendar (link|invite)|calendly|"
        r"(are|would) you (be )?(free|available)|how (much|does it (work|cost))",
    ),
    (
        2,
        r"what (is|are|'s) (the |your )?(pricing|price|cost)|tell me more|can you (call|"
        r"send|share|walk)|(works|work) for me|\bdemo\b|pricing|give me a call|call me",
    ),
    (1, r"\b(yes|sure|absolutely|definitely|great|perfect|curious|useful|pilot|trial)\b"),
    (
        3,
        r"(do|would) you have (\d+|a few|some|time|a (minute|moment|slot))|can we (talk|"
        r"speak|chat|meet|hop on)|(when|what time) (are|would) you|(grab|pick|book) (a|any) "
        r"(slot|time)|(might|could|may) be a (good )?fit|(send|give) (me|us) a (quote|"
        r"proposal)|calendar invite",
    ),
    (
        3,
        r"en savoir plus|(pouvez|pourriez)-vous (me )?(rappeler|appeler|envoyer)|un devis|"
        r"une d[ée]mo|pourquoi pas|(vous )?avez (un|des) cr[ée]neau",
    ),
    (
        3,
        r"angebot|terminvorschl[äa]g|(k[öo]nnen|k[öo]nnten) wir (telefonieren|sprechen|uns)|"
        r"r[üu]ckruf|mehr (infos|informationen|erfahren)",
    ),
    (
        3,
        r"(me )?parece interesante|(podemos|podr[íi]amos) (hablar|vernos|reunirnos|tener)|"
        r"me gustar[íi]a (ver|saber|conocer|recibir)|un presupuesto|una demo",
    ),
    (
        2,
        r"(like|love|want) to (learn|hear|know|see) more|learn more|how (does|would|will) "
        r"(it|this|that|the \w+) work|could work for us|might be (a fit|relevant|useful)",
    ),
    (2, r"\b(rendez-vous|rdv|cr[ée]neaux?)\b"),
    (
        3,
        r"int[ée]ress[ée]|int[ée]ressant|[çc]a (m'|nous )?int[ée]resse|volontiers|avec plaisir|"
        r"(planifier|caler|calons|organiser|fixer|prendre) (un|une) (appel|rendez-vous|rdv|"
        r"[ée]change|d[ée]mo|call|cr[ée]neau)|envoy(ez|er)[- ]moi (plus|davantage|la|une|"
        r"votre|vos|des)|(je suis|suis) disponible|[êe]tes[- ]vous disponible|quel (est le )?"
        r"(prix|tarif)|parlons-en|on peut en (parler|discuter)",
    ),
    (1, r"\bgerne?\b"),
    (
        3,
        r"(klingt|h[öo]rt sich) (interessant|gut|spannend)|interesse|"
        r"(termin|telefonat|call|gespr[äa]ch|demo) (vereinbaren|ausmachen|machen|"
        r"einplanen)|schicken sie (mir|uns)|senden sie (mir|uns)|was kostet|preise?|"
        r"haben sie (zeit|am)|passt (mir|es|uns)(?!.{0,20}nicht)",
    ),
    (
        3,
        r"me interesa|nos interesa|interesad[oa]s?|(agendar|programar|coordinar|tener) una "
        r"(llamada|reuni[óo]n|demo)|env[íi](e|a)(me|nos)? (m[áa]s )?(informaci[óo]n|detalles)|"
        r"cu[áa]nto cuesta|precio|hablemos|(estoy|estar[ée]) disponible|suena (bien|"
        r"interesante)|con gusto|me encantar[íi]a",
    ),
)
OTHER_HINTS = compile_rules(
    (2, r"how did you get (my|this)|who (are you|gave you)|what is this (about|regarding)"),
    (2, r"d'o[ùu] (vient|venez|avez-vous)|woher haben sie|de d[óo]nde (sac|obtuv)"),
)
