"""Replies that end the conversation with this address: a bounce, a request to stop, an
absence, someone else to talk to. See `rules.py` for how rules score."""

from __future__ import annotations

from salesauto.replies.rules import compile_rules

BOUNCE = compile_rules(
    (3, r"mail delivery (subsystem|system|failed)|mailer-daemon|postmaster@"),
    (3, r"delivery (status notification|has failed|to the following recipients? (has )?failed)"),
    (3, r"\bundeliverable\b|undelivered mail|returned mail|message not delivered"),
    (3, r"address (couldn'?t be found|not found)|recipient address rejected"),
    (3, r"user unknown|no such user|mailbox (unavailable|not found|does not exist|is full)"),
    (3, r"\b55[0-4][ -]5\.\d\.\d|\b5\.1\.[0-9]\b|\b5\.4\.1\b|smtp error"),
    (3, r"couldn'?t be delivered|could not be delivered|wasn'?t delivered|permanent(ly)? fail"),
    (3, r"non remis|(é|e)chec de (la )?remise|n'a pas pu [êe]tre remis|adresse introuvable"),
    (3, r"unzustellbar|konnte nicht zugestellt werden|zustellung fehlgeschlagen"),
    (3, r"no se (ha )?pudo entregar|no entregado|error de entrega|direcci[óo]n no encontrada"),
    (2, r"the (email )?account (you tried to reach )?(does not exist|is disabled)"),
    (
        3,
        r"non-?remise|remise (a|à) (é|e)chou|(adresse|destinataire) (inconnu|introuvable|"
        r"n'existe pas)",
    ),
    (
        3,
        r"[üu]bermittlungsstatus|nicht zugestellt|(adresse|empf[äa]nger|postfach) (wurde )?"
        r"(nicht gefunden|unbekannt|existiert nicht)",
    ),
    (
        3,
        r"estado de (la )?entrega|no se (ha )?entregado|no se (ha )?encontrado la direcci[óo]n|"
        r"destinatario (desconocido|no existe)",
    ),
    (
        3,
        r"^\s*(final-recipient|action: failed|status: 5\.)",
    ),
)
UNSUBSCRIBE = compile_rules(
    (
        3,
        r"take (me|my (email|address|name|details)) (off|out)|"
        r"supprimez (mes|mon|toutes? mes) (donn[ée]es|adresse|coordonn[ée]es)",
    ),
    (3, r"\bunsubscribe\b|\bopt(ed)?[ -]?out\b"),
    (3, r"(?m)^\W*(stop|remove|unsubscribe|désinscri\w*|abmelden|baja)\W*$"),
    (3, r"stop sending|stop (these|this|the) (emails?|messages)|no more of these"),
    (3, r"remove (me|us|my (email|address|name)|this (email|address))\b"),
    (3, r"take me off|delete (me|my (data|details|email|contact))|erase my"),
    (3, r"(stop|quit|don'?t keep|do not keep) (email|contact|messag|spamm)ing"),
    (3, r"(don'?t|do not|never) (email|contact|write to|message) (me|us)( again| anymore)?"),
    (3, r"\bno (more|further) (emails?|messages|contact)\b|\bnot to be contacted\b"),
    (3, r"\b(gdpr|rgpd|dsgvo)\b"),
    (3, r"d[ée]sinscri|d[ée]sabonn|retirez[- ]moi|supprimez[- ]moi|rayez[- ]moi"),
    (3, r"ne (plus )?(me|nous) (plus )?(contacter|[ée]crire|solliciter|envoyer)"),
    (
        3,
        r"(plus|aucun) (d'|de )?(e-?mails?|messages?|sollicitations?)|plus (rien )?recevoir|"
        r"retirer (de|du|des) (votre|vos|la|les|ce|cette) (liste|fichier|base)",
    ),
    (3, r"austragen|abmelden|aus (ihrem|dem) verteiler|l[öo]schen sie (mich|meine)"),
    (3, r"keine (weiteren )?(e-?mails?|nachrichten|kontaktaufnahme|werbung)"),
    (3, r"(nicht|nie) mehr (kontaktieren|anschreiben|schreiben)|kontaktieren sie mich nicht"),
    (3, r"\bde baja\b|b[óo]rr(en|ar|eme)|elim[íi]n(en|ar)(me)?"),
    (3, r"no (me )?(vuelva[ns]? a|sigan?) (escribir|contactar|enviar)|no me (escriba|contacte)"),
    (3, r"(no|ning[úu]n) (m[áa]s )?(correos?|emails?|mensajes?)( m[áa]s)?\b"),
    (
        3,
        r"(don'?t|do not|no longer) (want|wish) to (receive|get|hear)|any (more|further) "
        r"(e-?mails?|messages)|remove\b.{0,30}\b(list|database|records|system)|"
        r"(off|from) (your|the) (mailing |email )?list",
    ),
    (
        3,
        r"(retirez|supprimez|effacez|enlevez)\b.{0,30}\b(adresse|liste|fichiers?|base|"
        r"coordonn[ée]es)|ne (plus )?m'(écrire|ecrire|envoyer)|ne plus m'",
    ),
    (
        3,
        r"(entfernen|streichen|nehmen) sie mich|keine (e-?)?mails? mehr|(aus|von) (ihrer|der) "
        r"(liste|datenbank|mailingliste)",
    ),
    (
        3,
        r"dej(en|e|ad) de (enviar|escribir|mandar)|(eliminen|quiten|saquen)\b.{0,30}\b(lista|"
        r"base)|no (quiero|deseo) recibir",
    ),
)
OUT_OF_OFFICE = compile_rules(
    (
        3,
        r"\b(office|offices|b[üu]ro|bureaux?|oficinas?)\b.{0,40}\b(closed|geschlossen|"
        r"ferm[ée]s?|cerrad[ao]s?)\b|\bpto\b|annual leave|(business|work) (trip|travel)|"
        r"(holiday|christmas|festive) (break|closure)",
    ),
    (
        3,
        r"out of (the )?office|\booo\b|away from (the|my) (office|desk)|on (annual |parental "
        r"|maternity |paternity |sick )?leave|on (vacation|holiday)|limited access to (e-?mail|my)",
    ),
    (
        3,
        r"(off|out|home) sick|sick (leave|day)|krank(geschrieben|heitsbedingt)?\b|"
        r"arr[êe]t maladie|de baja m[ée]dica|enferm[oa]\b",
    ),
    (3, r"automatic reply|auto-?reply|autoreply|currently (away|traveling|travelling|out)"),
    (2, r"\b(i am|i'm|i will be) (away|out|off|travell?ing)\b|back in the office|will return"),
    (3, r"absent(e)?\b|en (cong[ée]s?|vacances|d[ée]placement)|r[ée]ponse automatique"),
    (2, r"de retour (le|lundi|mardi|mercredi|jeudi|vendredi|[àa] partir)|acc[èe]s limit[ée]"),
    (
        3,
        r"abwesenheit|nicht im b[üu]ro|au(ß|ss)er haus|im urlaub|urlaubsbedingt|"
        r"automatische antwort|nicht erreichbar|elternzeit|dienstreise",
    ),
    (
        2,
        r"wieder (im b[üu]ro|erreichbar|da|zur[üu]ck|f[üu]r sie da)|eingeschr[äa]nkt(em)? "
        r"zugriff",
    ),
    (
        3,
        r"nicht im (haus|hause)|(business|work) trip|at a (conference|trade ?show|offsite)|"
        r"(will|shall) (be )?(reply|respond|answer)(ing)? (on|upon|when|as soon as|after) "
        r"(my )?(return|i'?m back|i get back)|[àa] mon retour|(annual|public|bank) holiday",
    ),
    (3, r"fuera de (la )?oficina|de vacaciones|respuesta autom[áa]tica|ausente|de baja por"),
    (2, r"estar[ée] de vuelta|regres(o|ar[ée]) el|acceso limitado|sin acceso"),
)
WRONG_PERSON = compile_rules(
    (
        3,
        r"(not|n'?t) (the|a) decision[- ]?maker|(doesn'?t|does not|don'?t) work (here|there|"
        r"for us|with us) any ?more|(try|ask) (someone|somebody) (in|from|else)|"
        r"wrong (\w+ )?(person|contact|\w+ —|\w+ -)|you'?ve reached the wrong",
    ),
    (
        3,
        r"est parti|(le|la) nouve(au|lle) (responsable|interlocut)|pas (le |la )?d[ée]cisionnaire|"
        r"falsche[nr]? (ansprechpartner\w*|person|kontakt)|(hat|haben) uns\b.{0,30}\bverlassen|"
        r"ya no est[áa] en|no me encargo",
    ),
    (
        3,
        r"\b(moved on|former (employee|colleague)|no longer (monitored|in use|active))\b|"
        r"(not|n'?t) the (person|one) (you'?re|you are) (looking for|after)|"
        r"the person (who|that) (handles|owns|manages|is responsible)|"
        r"(isn'?t|not|is not) (something|a decision) (i|that i) (decide|make|own|handle)|"
        r"(ne|n') m'occupe pas|ce n'est pas moi|c'est (notre|mon|ma) \w+|"
        r"(ist|sind)\b.{0,40}\bzust[äa]ndig|zust[äa]ndig (ist|sind|w[äa]re)|"
        r"no (llevo|gestiono|manejo|me encargo)|no es (mi [áa]rea|cosa m[íi]a)|"
        r"se encarga|lo lleva",
    ),
    (
        3,
        r"\bhas left\b|\bleft (\w+ ){1,2}(in|last|a (few|couple)|at the end|earlier|"
        r"recently)\b",
    ),
    (
        3,
        r"no longer (with|at|works?|working|employed|part of)|(has )?left (the|our) (company|"
        r"firm|organi[sz]ation|business|team)|isn'?t with us|is not with us",
    ),
    (
        3,
        r"(not|n'?t) (the )?(right|best|correct|appropriate) (person|contact)|wrong (person|"
        r"contact)",
    ),
    (
        2,
        r"(not|n'?t) (my|in my) (area|department|remit|responsibility)|(don'?t|do not) "
        r"(handle|deal with|manage|own) (this|that|these|purchasing|marketing|sales)",
    ),
    (
        2,
        r"(you'?d|you would|you should|you may want to|you might want to|you want to|better "
        r"(off )?(to )?)\b.{0,20}\b(speak|talk|reach out|contact|connect|email)|"
        r"(is|would be) the (right|best|better) person|handles (this|that|these|our)|"
        r"is (in charge|responsible)|looping in|i'?ve (forwarded|passed)",
    ),
    (3, r"n'est plus (chez|dans|avec|en poste|employ)|ne (fait|travaille) plus|a quitt[ée]"),
    (
        3,
        r"pas (la|le) bon(ne)? (personne|interlocut|contact)|je ne suis pas (la personne|en "
        r"charge|responsable)",
    ),
    (
        2,
        r"\b(voir avec|adressez-vous|s'adresser|contacter plut[ôo]t|contactez plut[ôo]t)|"
        r"(est|serait) (la|le) (bonne|bon|mieux plac)|en charge de|j'ai transf[ée]r[ée]",
    ),
    (
        3,
        r"nicht mehr (im unternehmen|bei uns|f[üu]r uns|t[äa]tig|besch[äa]ftigt)|"
        r"(hat|haben) (das unternehmen|uns) verlassen|ausgeschieden",
    ),
    (3, r"nicht (der|die) richtige (ansprechpartner|person|kontakt)|nicht zust[äa]ndig"),
    (
        2,
        r"wenden sie sich|(ist|w[äa]re) (der|die) richtige|zust[äa]ndig (ist|f[üu]r)|"
        r"weitergeleitet",
    ),
    (3, r"ya no (trabaja|est[áa]|forma parte)|dej[óo] la empresa|no soy la persona"),
    (
        2,
        r"(no es|no soy) (el|la) (responsable|encargad)|(es|ser[íi]a) (el|la) (persona|"
        r"responsable) (adecuad|indicad|correct)|hablar con|contactar (con|a)|he reenviado",
    ),
)
