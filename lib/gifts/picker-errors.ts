/** What a plain form post can be sent back to the picker with (`/donate?error=…`). */
export const PICKER_ERRORS = ["amount", "frequency", "currency", "provider", "limited", "form"] as const;
export type PickerError = (typeof PICKER_ERRORS)[number];

export function pickerErrorFor(field: string | undefined): PickerError {
  return field === "amount" || field === "frequency" || field === "currency" ? field : "form";
}
