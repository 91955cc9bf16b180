import ArgumentParser
import Foundation
import Hub
import ProvisioServer
import Storage

/// `provisio files list|get --hub NAME`: the files devices uploaded to a shard, read from the data directory.
struct FilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files", abstract: "List and fetch device file uploads of a shard (reads the data directory).",
        subcommands: [List.self, Get.self])

    /// The shard's files in the data directory.
    struct ShardFiles: ParsableArguments {
        @OptionGroup var data: DataDirectoryOptions
        @Option(name: .customLong("hub"), help: "Shard name (hub-1).") var hub: String

        /// The store and container of the shard; an error when the shard has no files directory.
        func open() throws -> (store: LocalBlobStore, container: String) {
            guard !hub.isEmpty, !hub.contains("/"), !hub.hasPrefix(".") else { throw CLIError("--hub must be a shard name") }
            let store = LocalBlobStore(root: DataDirectory(path: data.dataDirectory).files)
            guard FileManager.default.fileExists(atPath: store.root.appendingPathComponent(hub).path) else {
                throw CLIError("no uploaded files for shard \(hub) in \(data.dataDirectory)")
            }
            return (store, FileUploadSettings().containerName)
        }
    }

    /// `provisio files list --hub NAME`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one line per file: blob name, size in bytes, last modified (UTC), upload outcome.")
        @OptionGroup var files: ShardFiles

        func run() async throws {
            try await CLIError.reporting {
                let (store, container) = try files.open()
                let records = try store.uploads(shard: files.hub)
                for blob in try store.list(shard: files.hub, container: container) {
                    let outcome = records.last { $0.blobName == blob.blobName }?.status.rawValue ?? "unknown"
                    print("\(blob.blobName)\t\(blob.size)\t\(blob.lastModified.formatted(.iso8601))\t\(outcome)")
                }
            }
        }
    }

    /// `provisio files get --hub NAME BLOB [--output FILE]`.
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a file's bytes to standard output or --output.")
        @OptionGroup var files: ShardFiles
        @Argument(help: "Blob name ({deviceId}/{name}).") var blobName: String
        @Option(help: "File to write instead of standard output.") var output: String?

        func run() async throws {
            try await CLIError.reporting {
                let (store, container) = try files.open()
                do {
                    try FileUploads.validate(name: blobName)
                } catch {
                    throw CLIError("\(blobName) is not a valid blob name")
                }
                guard let properties = try store.properties(shard: files.hub, container: container, blob: blobName) else {
                    throw CLIError("shard \(files.hub) has no file \(blobName)")
                }
                let handle: FileHandle
                if let output {
                    guard FileManager.default.createFile(atPath: output, contents: nil), let opened = FileHandle(forWritingAtPath: output) else {
                        throw CLIError("cannot write \(output)")
                    }
                    handle = opened
                } else {
                    handle = FileHandle.standardOutput
                }
                var offset: Int64 = 0
                while offset < properties.size {
                    let chunk = try store.read(shard: files.hub, container: container, blob: blobName, offset: offset, length: 1 << 20)
                    guard !chunk.isEmpty else { break }
                    try handle.write(contentsOf: chunk)
                    offset += Int64(chunk.count)
                }
                if output != nil { try handle.close() }
            }
        }
    }
}
