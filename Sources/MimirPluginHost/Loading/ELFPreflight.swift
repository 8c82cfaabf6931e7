#if canImport(Glibc)
    import Glibc
#endif

/// Checks a plugin file's ELF header and program headers before `dlopen` sees it. The loader
/// maps segments straight from the file: a truncated library whose segments end past the end of
/// the file makes `dlopen` itself die with SIGBUS (measured: a copy of a fixture cut to 10 % or
/// 30 % of its size), and a library for another architecture is refused with a misleading "No
/// such file or directory". Both are refused here, with their reason, without loading anything.
enum ELFPreflight {
    static let headerSize = 64
    static let programHeaderSize = 56

    /// e_machine of the architecture this host was built for.
    static let hostMachine: UInt16 = {
        #if arch(x86_64)
            return 62
        #elseif arch(arm64)
            return 183
        #else
            return 0
        #endif
    }()

    static func machineName(_ machine: UInt16) -> String {
        switch machine {
        case 3: "x86 (32-bit)"
        case 20: "PowerPC"
        case 21: "PowerPC64"
        case 22: "S390"
        case 40: "ARM (32-bit)"
        case 62: "x86-64"
        case 183: "AArch64"
        case 243: "RISC-V"
        default: "e_machine \(machine)"
        }
    }

    static func check(_ path: String) throws(PluginLoadError.Reason) {
        guard let file = fopen(path, "rb") else {
            throw .notASharedLibrary("cannot read the file: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var status = stat()
        guard fstat(fileno(file), &status) == 0 else {
            throw .notASharedLibrary("cannot read the file: \(String(cString: strerror(errno)))")
        }
        let fileSize = UInt64(status.st_size)
        guard fileSize >= UInt64(headerSize) else {
            throw .notASharedLibrary("file too short (\(fileSize) bytes) to hold an ELF header")
        }
        let header = try read(file, at: 0, count: headerSize)
        guard header[0] == 0x7f, header[1] == 0x45, header[2] == 0x4c, header[3] == 0x46 else {
            throw .notASharedLibrary("invalid ELF header (the file does not start with \\x7FELF)")
        }
        guard header[4] == 2 else {
            throw .wrongArchitecture("a 32-bit ELF file; this host loads 64-bit \(machineName(hostMachine)) libraries")
        }
        guard header[5] == 1 else {
            throw .wrongArchitecture("a big-endian ELF file; this host loads little-endian libraries")
        }
        let machine = UInt16(header[18]) | UInt16(header[19]) << 8
        guard machine == hostMachine else {
            throw .wrongArchitecture(
                "built for \(machineName(machine)); this host runs \(machineName(hostMachine))")
        }
        let type = UInt16(header[16]) | UInt16(header[17]) << 8
        guard type == 3 else {
            throw .notASharedLibrary("ELF type \(type) is not a shared object (ET_DYN)")
        }
        let programHeaders = little(header, 32, 8)
        let entrySize = little(header, 54, 2)
        let entries = little(header, 56, 2)
        guard entrySize == UInt64(programHeaderSize),
            programHeaders + entrySize * entries <= fileSize
        else {
            throw .truncated(
                "its program headers end past the end of the file (\(fileSize) bytes)")
        }
        for index in 0..<entries {
            let entry = try read(file, at: programHeaders + UInt64(index) * entrySize, count: programHeaderSize)
            let isLoadable = little(entry, 0, 4) == 1
            let end = little(entry, 8, 8).addingReportingOverflow(little(entry, 32, 8))
            guard !isLoadable || (!end.overflow && end.partialValue <= fileSize) else {
                throw .truncated(
                    "segment \(index) ends at byte \(end.partialValue), past the end of the file (\(fileSize) bytes)")
            }
        }
    }

    private static func little(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in (0..<count).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
        return value
    }

    private static func read(_ file: UnsafeMutablePointer<FILE>, at offset: UInt64, count: Int)
        throws(PluginLoadError.Reason) -> [UInt8]
    {
        var bytes = [UInt8](repeating: 0, count: count)
        guard fseeko(file, off_t(offset), SEEK_SET) == 0,
            bytes.withUnsafeMutableBytes({ fread($0.baseAddress, 1, count, file) }) == count
        else {
            throw .truncated("cannot read \(count) bytes at offset \(offset)")
        }
        return bytes
    }
}
