// An account's CID, the 64-bit number the Windows Live services named users
// by, and its two spellings: the address book, its notifications and the
// circle ticket write it as a signed decimal (MSNPSharp 3.2.1 compares it
// with its long's ToString()), the security token service as bare hex
// digits (MSNPSharp parses them with NumberStyles.HexNumber, which reads 16
// digits as a two's-complement long; client-quirks.md "RST and RST2").
// msnpd's CID is the account's id: unique, never reused (AUTOINCREMENT) and
// stable across restarts.

/** The CID as the 64-bit two's-complement value both spellings denote. */
export function cidValue(accountId: number): bigint {
  return BigInt.asIntN(64, BigInt(accountId));
}

/** Signed decimal: `<CID>` in ABFindAll, FindMembership and the ABCH `NOT`. */
export function cidDecimal(accountId: number): string {
  return cidValue(accountId).toString();
}

/** Hex digits without `0x` (two's complement for negative values): the RST/RST2 `CID` credential property. */
export function cidHex(accountId: number): string {
  return BigInt.asUintN(64, cidValue(accountId)).toString(16);
}
