import ArgumentParser
import Provisioning
import Storage

extension CLIError {
    /// The one line a failed command prints: the public message of domain errors, the first line of anything else.
    ///
    /// `ProvisioningError` and `StorageError` messages are written to be shown and never carry keys; other errors
    /// are cut to one line so no stack of causes reaches the terminal.
    static func from(_ error: any Error) -> CLIError {
        switch error {
        case let error as CLIError: return error
        case let error as ProvisioningError: return CLIError(oneLine(error.message))
        case let error as StorageError: return CLIError(oneLine(error.message))
        default:
            let text = String(describing: error)
            return CLIError(oneLine(text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? text))
        }
    }

    /// `text` with control characters escaped: messages quote user input (ids), which may hold line breaks.
    static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return text }
        return String(text.unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control ? scalar.escaped(asASCII: true) : String(scalar)
        }.joined())
    }

    /// Runs `body`, turning whatever it throws into a one-line `CLIError`.
    static func reporting<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw from(error)
        }
    }
}

extension CLIError {
    /// The record id a command names, given as its argument (`create ID`, like `show ID`) or through the older option
    /// spelling (`--group-id ID`); exactly one of them.
    static func identifier(argument: String?, option: String?, optionName: String, what: String) throws -> String {
        switch (argument, option) {
        case (let id?, nil), (nil, let id?): return id
        case (.some, .some): throw CLIError("give \(what) once: as the argument or with \(optionName), not both")
        case (nil, nil): throw CLIError("missing \(what) (the first argument)")
        }
    }
}
