namespace AutomationStack.Tracking;

/// <summary>
/// One radar track. RelativeX/RelativeY: target (its rear face, as the radar sees it) relative to the ego's
/// geometric centre in the ego frame (x forward, y left), m. Range: from the radar (front bumper), m.
/// RelativeSpeed: target longitudinal speed minus ego speed (negative = closing), m/s. AbsoluteSpeed: target
/// longitudinal speed along the ego heading, m/s. Acceleration: filtered target longitudinal acceleration, m/s².
/// Age: frames since the track was opened.
/// </summary>
public readonly record struct RadarTrack(
    int Id,
    double RelativeX,
    double RelativeY,
    double Range,
    double RelativeSpeed,
    double AbsoluteSpeed,
    double Acceleration,
    int Age,
    bool Confirmed);
