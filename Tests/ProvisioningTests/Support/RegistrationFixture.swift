import ProvisioTestSupport
import Foundation
import Provisioning

/// A `RegistrationService` over a recording hub directory, an in-memory repository that logs saves into the
/// directory's log, a manual clock and a recording webhook.
struct RegistrationFixture {
    let directory: RecordingHubDirectory
    let repository = InMemoryEnrollmentRepository()
    let clock = ManualClock()
    let webhook: RecordingWebhook
    let service: RegistrationService

    init(hubs: [HubDescriptor] = TestHubs.all, webhook: RecordingWebhook = .unused()) {
        let directory = RecordingHubDirectory(hubs: hubs)
        let clock = self.clock
        self.directory = directory
        self.webhook = webhook
        service = RegistrationService(repository: SaveObservingRepository(inner: repository, directory: directory),
                                      hubDirectory: directory, webhook: webhook, webhookTimeout: .seconds(2),
                                      now: { clock.now() })
    }

    /// Registers `device` under operation `operationId`.
    @discardableResult
    func register(_ device: AttestedDevice, payload: JSONValue? = nil, operationId: String) async throws -> RegistrationRecord {
        try await service.register(device, payload: payload, operationId: operationId)
    }

    /// The hub descriptor with this name.
    func hub(named name: String?) -> HubDescriptor? {
        directory.hubs.first { $0.name == name }
    }
}
