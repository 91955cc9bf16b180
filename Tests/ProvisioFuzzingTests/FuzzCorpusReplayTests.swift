import Foundation
import ProvisioFuzzing
import Testing

/// Every file of the fuzz corpus (seeds and past crash inputs, Tests/FuzzCorpus/<target>/) through every fuzz
/// target, so a fixed finding stays fixed without a sanitizer build.
@Suite("Fuzz corpus replay")
struct FuzzCorpusReplayTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FuzzCorpus")

    /// The corpus files of all targets, sorted by path.
    static func files() throws -> [URL] {
        let folders = try FileManager.default.contentsOfDirectory(at: corpus, includingPropertiesForKeys: [.isDirectoryKey])
            .filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
        return try folders.flatMap { try FileManager.default.contentsOfDirectory(at: $0, includingPropertiesForKeys: nil) }
            .sorted { $0.path < $1.path }
    }

    @Test("every target has a seed corpus")
    func seeds() throws {
        for target in FuzzTarget.allCases {
            let folder = Self.corpus.appendingPathComponent(target.rawValue)
            let seeds = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            #expect(seeds.count >= 3, "\(target.rawValue) has \(seeds.count) seeds")
        }
    }

    @Test("every corpus file runs through every target without a finding", arguments: FuzzTarget.allCases)
    func replay(_ target: FuzzTarget) throws {
        let files = try Self.files()
        #expect(files.count > FuzzTarget.allCases.count * 3)
        for file in files {
            let input = try [UInt8](Data(contentsOf: file))
            #expect(throws: Never.self, "\(file.lastPathComponent)") { try target.run(input) }
        }
    }
}
