import Foundation
import GRDB
#if canImport(GRDBSQLite)
import GRDBSQLite
#else
import SQLite3
#endif
import Routing

/// The event-log insert with its values bound straight to SQLite: every routed message runs it inside the single
/// writer's transaction, where GRDB's general argument boxing cost about as much as SQLite's own work.
enum EventInsert {
    /// SQLite copies the bytes before the bind call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Binds one event to `statement` (the `INSERT INTO event_log …` of `ProvisioDatabase.append`) and runs it.
    static func execute(_ statement: Statement, _ db: Database, shard: String, append: EventAppend, sequenceNumber: Int64,
                        time: Double, size: Int64, properties: EncodedProperties) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        bind(text: shard, at: 1, handle)
        bind(text: append.endpoint, at: 2, handle)
        sqlite3_bind_int64(handle, 3, Int64(append.partition))
        sqlite3_bind_int64(handle, 4, sequenceNumber)
        sqlite3_bind_double(handle, 5, time)
        bind(text: append.record.deviceId, at: 6, handle)
        if let moduleId = append.record.moduleId { bind(text: moduleId, at: 7, handle) } else { sqlite3_bind_null(handle, 7) }
        sqlite3_bind_int64(handle, 8, size)
        append.record.body.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress, bytes.count > 0 {
                sqlite3_bind_blob(handle, 9, base, Int32(bytes.count), transient)
            } else {
                sqlite3_bind_zeroblob(handle, 9, 0)
            }
        }
        bind(utf8: properties.application, at: 10, handle)
        bind(utf8: properties.system, at: 11, handle)
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }

    private static func bind(utf8: [UInt8], at index: Int32, _ handle: SQLiteStatement) {
        utf8.withUnsafeBufferPointer { bytes in
            withUnsafeBytes(of: 0 as UInt8) { empty in
                let base = bytes.baseAddress.map(UnsafeRawPointer.init) ?? empty.baseAddress!
                sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), transient)
            }
        }
    }

    private static func bind(text: String, at index: Int32, _ handle: SQLiteStatement) {
        var text = text
        text.withUTF8 { bytes in
            // A non-nil pointer even for "" (a nil one would bind NULL).
            withUnsafeBytes(of: 0 as UInt8) { empty in
                let base = bytes.baseAddress.map(UnsafeRawPointer.init) ?? empty.baseAddress!
                sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), transient)
            }
        }
    }
}
