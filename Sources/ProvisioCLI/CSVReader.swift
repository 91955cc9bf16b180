/// One CSV record and the file line it starts on (quoted fields may span lines).
struct CSVRecord: Sendable {
    /// 1-based line of the record's first character.
    var line: Int
    /// The fields, unquoted.
    var fields: [String]
}

/// An RFC 4180 reader: `,` separated, `"` quoted with `""` escapes, LF or CRLF line ends, UTF-8 (a BOM is skipped).
///
/// Blank lines are skipped. A quote inside an unquoted field is kept as text rather than refused, as spreadsheets
/// write such files too; only an unterminated quoted field makes the file unreadable.
enum CSVReader {
    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lineFeed = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")

    /// Every record of `bytes`, header included.
    static func records(_ bytes: [UInt8]) throws -> [CSVRecord] {
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        var recordLine = 1
        var quoted = false
        var inQuotes = false

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            quoted = false
        }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(CSVRecord(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
        }

        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inQuotes {
                if byte == quote {
                    if index < bytes.count && bytes[index] == quote {
                        field.append(quote)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == lineFeed { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case quote where field.isEmpty && !quoted:
                inQuotes = true
                quoted = true
            case comma:
                endField()
            case carriageReturn where index < bytes.count && bytes[index] == lineFeed:
                continue
            case lineFeed, carriageReturn:
                endRecord()
                line += 1
                recordLine = line
            default:
                field.append(byte)
            }
        }
        if inQuotes { throw CLIError("line \(recordLine): a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty || quoted { endRecord() }
        return records
    }
}
