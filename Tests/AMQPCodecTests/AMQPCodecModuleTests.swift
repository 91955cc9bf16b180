import AMQPCodec
import Testing

@Suite struct AMQPCodecModuleTests {
    @Test func moduleLinks() {
        #expect(String(describing: AMQPCodec.self) == "AMQPCodec")
    }
}
