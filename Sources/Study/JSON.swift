import Foundation

/// A JSON value with ordered object keys, so records and configurations serialise the same
/// way every time (byte-identical results across runs and job counts).
public enum JSON: Equatable, Sendable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSON])
  case object([(String, JSON)])

  public static func == (a: JSON, b: JSON) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case let (.bool(x), .bool(y)): return x == y
    case let (.number(x), .number(y)): return x == y || (x.isNaN && y.isNaN)
    case let (.string(x), .string(y)): return x == y
    case let (.array(x), .array(y)): return x == y
    case let (.object(x), .object(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: return false
    }
  }

  /// The value under `key` of an object.
  public subscript(key: String) -> JSON? {
    if case .object(let kv) = self { return kv.first { $0.0 == key }?.1 }
    return nil
  }

  /// An object without `keys` (e.g. timings, when comparing records).
  public func removing(_ keys: Set<String>) -> JSON {
    if case .object(let kv) = self { return .object(kv.filter { !keys.contains($0.0) }) }
    return self
  }

  public var double: Double? {
    switch self {
    case .number(let x): return x
    case .string("inf"): return .infinity
    case .string("-inf"): return -.infinity
    case .string("nan"): return .nan
    default: return nil
    }
  }
  /// The value's JSON type in words, for messages ("a number", "a string", …).
  public static func kind(_ v: JSON) -> String {
    switch v {
    case .number: return "a number"
    case .string(let s): return ["inf", "-inf", "nan"].contains(s) ? "a number" : "a string"
    case .bool: return "true or false"
    case .array: return "an array"
    case .object: return "an object"
    case .null: return "null"
    }
  }

  public var string: String? { if case .string(let s) = self { return s } else { return nil } }
  public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
  public var array: [JSON]? { if case .array(let a) = self { return a } else { return nil } }
  public var int: Int? {
    guard case .number(let x) = self, x == x.rounded(), abs(x) < 9e15 else { return nil }
    return Int(x)
  }

  /// A number; non-finite values become the strings `"inf"`, `"-inf"`, `"nan"` (JSON has none).
  public static func num(_ x: Double) -> JSON {
    if x.isNaN { return .string("nan") }
    if x.isInfinite { return .string(x > 0 ? "inf" : "-inf") }
    return .number(x)
  }
  /// A number or null.
  public static func num(_ x: Double?) -> JSON { x.map { num($0) } ?? .null }

  /// Compact one-line serialisation.
  public var serialized: String {
    var out = ""
    write(to: &out, indent: nil, level: 0)
    return out
  }

  /// Indented serialisation for files people read.
  public var pretty: String {
    var out = ""
    write(to: &out, indent: "  ", level: 0)
    return out + "\n"
  }

  private func write(to out: inout String, indent: String?, level: Int) {
    let nl = indent == nil ? "" : "\n"
    let pad = { (l: Int) in String(repeating: indent ?? "", count: l) }
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .number(let x):
      if x == x.rounded() && abs(x) <= 9_007_199_254_740_992 { out += String(Int64(x)) } else { out += "\(x)" }
    case .string(let s): JSON.quote(s, into: &out)
    case .array(let a):
      // Arrays of numbers stay on one line even when pretty: α rows read better that way.
      let flat =
        indent == nil
        || a.allSatisfy {
          if case .array = $0 { return false }; if case .object = $0 { return false }; return true
        }
      out += "["
      for (i, v) in a.enumerated() {
        if i > 0 { out += flat ? (indent == nil ? "," : ", ") : "," }
        if !flat { out += nl + pad(level + 1) }
        v.write(to: &out, indent: flat ? nil : indent, level: level + 1)
      }
      if !flat && !a.isEmpty { out += nl + pad(level) }
      out += "]"
    case .object(let kv):
      out += "{"
      for (i, (k, v)) in kv.enumerated() {
        if i > 0 { out += "," }
        out += nl + pad(level + 1)
        JSON.quote(k, into: &out)
        out += indent == nil ? ":" : ": "
        v.write(to: &out, indent: indent, level: level + 1)
      }
      if !kv.isEmpty { out += nl + pad(level) }
      out += "}"
    }
  }

  private static func quote(_ s: String, into out: inout String) {
    out += "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
      }
    }
    out += "\""
  }

  /// Parses one JSON text; the error says where it went wrong.
  public static func parse(_ text: String) throws(JSONError) -> JSON {
    var p = Parser(bytes: Array(text.utf8))
    p.skipSpace()
    let v = try p.value()
    p.skipSpace()
    if p.i != p.bytes.count { throw p.fail("trailing characters") }
    return v
  }
}

/// A malformed JSON text.
public struct JSONError: Error, CustomStringConvertible {
  public var description: String
}

private struct Parser {
  let bytes: [UInt8]
  var i = 0

  init(bytes: [UInt8]) { self.bytes = bytes }

  func fail(_ what: String) -> JSONError { JSONError(description: "\(what) at byte \(i)") }

  mutating func skipSpace() {
    while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
  }

  mutating func literal(_ word: String, _ v: JSON) throws(JSONError) -> JSON {
    let w = Array(word.utf8)
    guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw fail("invalid literal") }
    i += w.count
    return v
  }

  mutating func value() throws(JSONError) -> JSON {
    guard i < bytes.count else { throw fail("unexpected end") }
    switch bytes[i] {
    case UInt8(ascii: "{"):
      i += 1
      var kv: [(String, JSON)] = []
      skipSpace()
      if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(kv) }
      while true {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
        let k = try string()
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
        i += 1
        skipSpace()
        kv.append((k, try value()))
        skipSpace()
        guard i < bytes.count else { throw fail("unexpected end") }
        if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
        if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(kv) }
        throw fail("expected ',' or '}'")
      }
    case UInt8(ascii: "["):
      i += 1
      var a: [JSON] = []
      skipSpace()
      if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
      while true {
        skipSpace()
        a.append(try value())
        skipSpace()
        guard i < bytes.count else { throw fail("unexpected end") }
        if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
        if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
        throw fail("expected ',' or ']'")
      }
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): return try literal("true", .bool(true))
    case UInt8(ascii: "f"): return try literal("false", .bool(false))
    case UInt8(ascii: "n"): return try literal("null", .null)
    default: return try number()
    }
  }

  mutating func number() throws(JSONError) -> JSON {
    let start = i
    while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
    guard i > start, let s = String(bytes: bytes[start..<i], encoding: .utf8), let x = Double(s) else {
      throw fail("invalid value")
    }
    return .number(x)
  }

  mutating func string() throws(JSONError) -> String {
    i += 1
    var out = [UInt8]()
    while i < bytes.count {
      let c = bytes[i]
      i += 1
      if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
      if c == UInt8(ascii: "\\") {
        guard i < bytes.count else { break }
        let e = bytes[i]
        i += 1
        switch e {
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "u"):
          guard i + 4 <= bytes.count, let s = String(bytes: bytes[i..<(i + 4)], encoding: .utf8),
            let v = UInt32(s, radix: 16), let u = Unicode.Scalar(v)
          else { throw fail("invalid escape") }
          i += 4
          out.append(contentsOf: Array(String(Character(u)).utf8))
        default: out.append(e)
        }
      } else {
        out.append(c)
      }
    }
    throw fail("unterminated string")
  }
}
