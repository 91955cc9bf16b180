import HTTPTypes

extension HTTPField.Name {
    /// `x-ms-continuation`: the query continuation token, in and out.
    static let msContinuation = HTTPField.Name("x-ms-continuation")!
    /// `x-ms-max-item-count`: the query page size.
    static let msMaxItemCount = HTTPField.Name("x-ms-max-item-count")!
    /// `x-ms-item-type`: what a query page holds (`Enrollment`, `EnrollmentGroup`, `DeviceRegistration`).
    static let msItemType = HTTPField.Name("x-ms-item-type")!
}
