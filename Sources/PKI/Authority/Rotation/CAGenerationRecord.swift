import Foundation

/// One CA generation as stored: which root and issuing CA it pairs (key-store names and certificate file stems),
/// when it takes over issuance and whether it was retired.
///
/// Generation 1 is the hierarchy created on first start (`root`, `issuing`). `provisio ca rotate` adds generation
/// n + 1 with a new issuing CA (`issuing-{n+1}`) under the current root, or with a new root as well (`root-{n+1}`).
public struct CAGenerationRecord: Sendable, Equatable {
    /// 1, 2, …; never reused.
    public var number: Int
    /// The root CA's key-store name and certificate file stem.
    public var rootName: String
    /// The issuing CA's key-store name and certificate file stem.
    public var issuingName: String
    /// When the generation was created.
    public var createdAt: Date
    /// From when new certificates are issued by this generation (the latest activated, non-retired one wins).
    public var activatesAt: Date
    /// When the generation was retired; its certificates no longer verify from then on.
    public var retiredAt: Date?

    /// Creates a record.
    public init(number: Int, rootName: String, issuingName: String, createdAt: Date, activatesAt: Date, retiredAt: Date? = nil) {
        self.number = number
        self.rootName = rootName
        self.issuingName = issuingName
        self.createdAt = createdAt
        self.activatesAt = activatesAt
        self.retiredAt = retiredAt
    }
}
