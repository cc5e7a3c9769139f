/// The Knutepunkt release this code is.
package enum KnutepunktVersion {
    package static let current = "0.1.0"
}
