extension Duration {
    /// Whole milliseconds, for status reports and poll timeouts.
    package var milliseconds: Int64 {
        let parts = components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }
}
