namespace AutomationStack.Control.Tests;

/// <summary>Test plant: point mass with first-order actuator lag, no reversing. Position is any fixed reference point on the vehicle, m.</summary>
internal sealed class PointMassLag(double position, double speed, double timeConstant)
{
    public double Position { get; private set; } = position;

    public double Speed { get; private set; } = speed;

    public double Acceleration { get; private set; }

    public void Step(double command, double dt)
    {
        Acceleration += (command - Acceleration) * dt / timeConstant;
        var v = Speed + (Acceleration * dt);
        if (v < 0)
        {
            v = 0;
            Acceleration = Math.Max(Acceleration, 0);
        }

        Position += 0.5 * (Speed + v) * dt;
        Speed = v;
    }
}
