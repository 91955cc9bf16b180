import HTTPTypes
import Provisioning

extension ServiceError {
    /// The wire form of a domain error: same status, `errorCode` and public message.
    init(_ error: ProvisioningError) {
        self.init(status: HTTPResponse.Status(code: error.status), errorCode: error.errorCode, message: error.message)
    }
}
