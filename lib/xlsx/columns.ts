/** "A", "B", … "Z", "AA": how spreadsheets name the column at a 0-based index. */
export const columnName = (index: number) => {
  let n = index + 1;
  let name = "";
  while (n > 0) {
    const r = (n - 1) % 26;
    name = String.fromCharCode(65 + r) + name;
    n = Math.floor((n - 1) / 26);
  }
  return name;
};
