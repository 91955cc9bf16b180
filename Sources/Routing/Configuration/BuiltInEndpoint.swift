/// The built-in endpoint every shard has.
public enum BuiltInEndpoint {
    /// `events`.
    public static let name = "events"
}
