import KnutepunktDomain

/// Hints for the habits spreadsheets and the people filling them have, for a cell the validator refused: a date
/// written `15.10.2026`, a decimal comma or a space between thousands in a count, a municipality code whose leading
/// zero the spreadsheet dropped, list items separated by `,` instead of `|`, and Norwegian (or English) names or
/// common synonyms where a code belongs.
///
/// A hint never changes what is imported: it says what to write, and suggests the cell's corrected text when the
/// fix is certain. `knutepunkt import` prints them under each problem; the workspace shows them in its table.
package struct SpreadsheetHints: Sendable {
    package struct Hint: Sendable, Hashable, Codable, CustomStringConvertible {
        /// What to write, in words.
        package var message: String
        /// The cell as it should read, when the fix is certain.
        package var suggestion: String?

        package init(message: String, suggestion: String? = nil) {
            self.message = message
            self.suggestion = suggestion
        }

        package var description: String { message }
    }

    package let taxonomy: Taxonomy

    package init(taxonomy: Taxonomy) { self.taxonomy = taxonomy }

    /// A hint for the cell under `column` (an event member name) holding `cell` (as written), refused with `code`;
    /// nil when none of the habits explains it.
    package func hint(column: String, cell: String, code: ValidationIssue.Code) -> Hint? {
        let text = cell.trimmingSpaces
        guard !text.isEmpty else { return nil }
        switch column {
        case "date": return dateHint(text)
        case "municipality": return municipalityHint(text)
        case _ where ActivityCSV.integerColumns.contains(column): return countHint(text)
        case _ where ActivityCSV.listColumns.contains(column): return listHint(text, column: column)
        case "kind", "tier", "funding", "node", "region": return codeHint(text, column: column)
        default: return nil
        }
    }

    // MARK: Dates

    /// `15.10.2026`, `15/10/2026`, `15-10-26` → `2026-10-15`.
    func dateHint(_ text: String) -> Hint? {
        let parts = text.split(whereSeparator: { $0 == "." || $0 == "/" || $0 == "-" }).map(String.init)
        guard parts.count == 3, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigitCharacter) }),
            parts[0].count <= 2, parts[1].count <= 2, parts[2].count == 4 || parts[2].count == 2,
            let day = Int(parts[0]), let month = Int(parts[1]), var year = Int(parts[2])
        else { return nil }
        if parts[2].count == 2 { year += 2000 }
        guard let date = LocalDate(year: year, month: month, day: day) else { return nil }
        return Hint(
            message: "write dates as YYYY-MM-DD (year, month, day): \(date.iso), not day.month.year",
            suggestion: date.iso
        )
    }

    // MARK: Municipality codes

    /// `301` → `0301`: a spreadsheet that took the code for a number dropped its leading zero.
    func municipalityHint(_ text: String) -> Hint? {
        guard (1...3).contains(text.count), text.allSatisfy(\.isASCIIDigitCharacter) else { return nil }
        let padded = String(repeating: "0", count: 4 - text.count) + text
        return Hint(
            message: "municipality codes have 4 digits; the spreadsheet dropped the leading zero: write \(padded), and "
                + "format the column as text so it stays",
            suggestion: padded
        )
    }

    // MARK: Counts

    /// `1 200` → `1200`; `12,0` → `12`; `12,5` is a decimal, which a count cannot be.
    func countHint(_ text: String) -> Hint? {
        let spaces: Set<Character> = [" ", "\u{00A0}", "\u{202F}", "\u{2009}", "'"]
        let joined = String(text.filter { !spaces.contains($0) })
        if joined != text, !joined.isEmpty, joined.allSatisfy(\.isASCIIDigitCharacter) {
            return Hint(message: "write whole numbers without spaces between thousands: \(joined)", suggestion: joined)
        }
        // 1.200 or 12.000.000: dots between groups of three (thousands separators in Norwegian).
        let groups = joined.split(separator: ".", omittingEmptySubsequences: false)
        if groups.count > 1, (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }),
            groups.allSatisfy({ $0.allSatisfy(\.isASCIIDigitCharacter) })
        {
            let digits = groups.joined()
            return Hint(message: "write whole numbers without dots between thousands: \(digits)", suggestion: digits)
        }
        let decimal = joined.split(separator: ",", omittingEmptySubsequences: false)
        let pieces = decimal.count == 2 ? decimal : joined.split(separator: ".", omittingEmptySubsequences: false)
        if pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty,
            pieces.allSatisfy({ $0.allSatisfy(\.isASCIIDigitCharacter) })
        {
            if pieces[1].allSatisfy({ $0 == "0" }) {
                let whole = String(pieces[0])
                return Hint(message: "a count is a whole number: write \(whole)", suggestion: whole)
            }
            return Hint(message: "a count is a whole number, not a decimal: count whole people, families or sessions")
        }
        return nil
    }

    // MARK: Codes

    /// A list cell: items separated by `,` or `;` instead of `|`, or names instead of codes.
    func listHint(_ text: String, column: String) -> Hint? {
        let usedComma = text.contains(",") || text.contains(";")
        let items = text.split(whereSeparator: { $0 == "|" || $0 == "," || $0 == ";" })
            .map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        guard !items.isEmpty else { return nil }
        let codes = items.map { code(for: $0, column: column) }
        let named = zip(items, codes).filter { $0.0 != $0.1 && $0.1 != nil }
        guard codes.allSatisfy({ $0 != nil }), usedComma || !named.isEmpty else {
            if usedComma {
                return Hint(message: "separate the items of a list with |, not a comma: CODE|CODE")
            }
            return nil
        }
        let suggestion = codes.compactMap { $0 }.joined(separator: String(ActivityCSV.listSeparator))
        var words: [String] = []
        if usedComma { words.append("separate the items of a list with |, not a comma") }
        if !named.isEmpty {
            words.append("use codes, not names: " + named.map { "\($0.0) → \($0.1!)" }.joined(separator: ", "))
        }
        return Hint(message: words.joined(separator: "; ") + ": write \(suggestion)", suggestion: suggestion)
    }

    /// A single code cell holding a name or synonym.
    func codeHint(_ text: String, column: String) -> Hint? {
        guard let code = code(for: text, column: column), code != text else { return nil }
        return Hint(message: "use the code, not the name: \(text) → \(code)", suggestion: code)
    }

    /// The code `text` names in the vocabulary of `column`: the code itself in any case, the English or Norwegian
    /// name (with or without what stands in brackets), or a synonym; nil when it names none, or more than one.
    package func code(for text: String, column: String) -> String? {
        let wanted = Self.normalised(text)
        var found: Set<String> = []
        for (code, names) in names(of: column) where names.contains(wanted) { found.insert(code) }
        return found.count == 1 ? found.first : nil
    }

    /// Every code of the vocabulary of `column` with the normalised names it goes by.
    private func names(of column: String) -> [(String, Set<String>)] {
        func terms(_ list: [Taxonomy.Term]) -> [(String, Set<String>)] {
            list.map { term in
                var names = [term.code, term.name] + term.synonyms
                if let nb = term.nameNb { names.append(nb) }
                return (term.code, Self.variants(names))
            }
        }
        switch column {
        case "kind": return terms(taxonomy.kinds)
        case "target_groups": return terms(taxonomy.targetGroups)
        case "tier": return terms(taxonomy.tiers)
        case "age_bands": return terms(taxonomy.ageBands)
        case "professions": return terms(taxonomy.professions)
        case "funding": return terms(taxonomy.funding)
        case "programmes": return taxonomy.programmes.map { ($0.code, Self.variants([$0.code, $0.name])) }
        case "node": return taxonomy.nodes.map { ($0.code, Self.variants([$0.code, $0.name, $0.town])) }
        case "region": return taxonomy.regions.map { ($0.code, Self.variants([$0.code, $0.name, $0.centre])) }
        default: return []
        }
    }

    /// The names, normalised, each also without what stands in brackets ("Spedbarnsdagene (den årlige …)").
    private static func variants(_ names: [String]) -> Set<String> {
        var result: Set<String> = []
        for name in names {
            result.insert(normalised(name))
            if let open = name.firstIndex(of: "(") { result.insert(normalised(String(name[..<open]))) }
        }
        result.remove("")
        return result
    }

    /// Lower case, dashes as `-`, runs of spaces as one, no full stop at the end.
    static func normalised(_ text: String) -> String {
        var result = ""
        var space = false
        for character in text.lowercased() {
            let mapped: Character = character == "–" || character == "—" ? "-" : character
            if mapped == " " || mapped == "\u{00A0}" || mapped == "\t" {
                space = !result.isEmpty
                continue
            }
            if space { result.append(" ") }
            space = false
            result.append(mapped)
        }
        while result.hasSuffix(".") { result.removeLast() }
        return result
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}

extension String {
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\u{00A0}" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
