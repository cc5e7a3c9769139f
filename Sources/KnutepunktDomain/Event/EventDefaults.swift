import Foundation

/// What the receiver fills in when an event leaves it out.
///
/// At a node: `region` is the region the node daemon reports for (an event naming another region is refused with
/// `REGION_MISMATCH`), `node` its configured default local node, and `makeID` gives events without an `id` a new
/// one. At the hub there are no defaults (``hub``): every event must say everything itself.
package struct EventDefaults: Sendable {
    package var region: String?
    package var node: String?
    /// Makes an id for an event without one; nil when an id is required.
    package var makeID: (@Sendable () -> UUID)?

    /// `makeID` nil makes `id` required.
    package init(region: String?, node: String?, makeID: (@Sendable () -> UUID)?) {
        self.region = region
        self.node = node
        self.makeID = makeID
    }

    /// No defaults: region, node and id must all be in the event (the hub's view).
    package static let hub = EventDefaults(region: nil, node: nil, makeID: nil)
}
