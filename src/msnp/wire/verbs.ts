// Every verb that exists somewhere in MSNP (any version, either server).
// A verb outside this set gets error 200; a known verb the negotiated version
// does not have closes the connection, as the original service did.
export const MSNP_VERBS: ReadonlySet<string> = new Set(
  (
    'ACK ADC ADD ADG ADL ANS BLP BPR BYE CAL CHG CHL CVQ CVR DEL FLN FND FQY GCF GET GSB GTC ILN IMS INF IPG IRO ' +
    'JOI LKP LSG LST MSG NAK NFY NLN NOT OUT PAG PGD PNG PRP PUT QNG QRY REA REG REM RMG RML RNG SBP SBS SDC SDG ' +
    'SND SYN UBM UBN UBX URL USR UUM UUN UUX VAS VER XFR'
  ).split(' '),
);

/** Client-to-server verbs whose last token is a payload length. */
export const NS_PAYLOAD_VERBS: ReadonlySet<string> = new Set(
  'QRY UUX ADL RML FQY UUN UUM PUT SDG DEL PAG SDC VAS MSG PGD'.split(' '),
);
export const SB_PAYLOAD_VERBS: ReadonlySet<string> = new Set(['MSG']);
