import Testing
@testable import LoyaltyKit

@Suite struct SHA256Tests {
    @Test func standardVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func chunkedUpdatesEqualOneUpdate() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var whole = SHA256()
        whole.update(bytes)
        var pieces = SHA256()
        var index = 0
        for size in [1, 63, 64, 65, 7, 200, 600] where index < bytes.count {
            pieces.update(bytes[index..<min(index + size, bytes.count)])
            index += size
        }
        pieces.update(bytes[min(index, bytes.count)...])
        #expect(whole.finalizeHex() == pieces.finalizeHex())
        // One million 'a': the FIPS 180-2 long vector.
        var million = SHA256()
        let block = [UInt8](repeating: 0x61, count: 10_000)
        for _ in 0..<100 { million.update(block) }
        #expect(million.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func aCopyCarriesTheStateSoFar() {
        var first = SHA256()
        first.update(Array("ab".utf8))
        var copy = first
        first.update(Array("c".utf8))
        copy.update(Array("c".utf8))
        #expect(first.finalizeHex() == SHA256.hex("abc") && copy.finalizeHex() == SHA256.hex("abc"))
    }
}
