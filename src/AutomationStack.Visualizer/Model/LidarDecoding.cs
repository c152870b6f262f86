using System.Buffers.Binary;
using AutomationStack.Bridge.Protocol;

namespace AutomationStack.Visualizer.Model;

/// <summary>Lidar scans of the log (sensor frame, packed or float points) into map-frame points.</summary>
internal static class LidarDecoding
{
    /// <summary>Bytes a packed point: x, y, z as int16 centimetres, intensity as uint8.</summary>
    public const int PackedPointSize = 7;

    /// <summary>Bytes a float point: x, y, z, intensity as float32.</summary>
    public const int FloatPointSize = 16;

    private const double MetresPerCentimetre = 0.01;

    /// <summary>
    /// The scan's points in the map frame as (x, y, z) triples, given the vehicle's pose (its geometric centre on the
    /// ground, heading counter-clockwise from +x). <paramref name="count"/> is the number of points decoded.
    /// </summary>
    public static float[] ToWorld(LidarScan scan, double vehicleX, double vehicleY, double vehicleZ, double vehicleHeading, out int count)
    {
        ArgumentNullException.ThrowIfNull(scan);
        var pose = scan.Pose ?? new LidarPose();
        var packed = scan.PackedPoints.Span;
        var floats = scan.Points.Span;
        var n = (int)scan.PointCount;
        n = packed.Length > 0 ? Math.Min(n, packed.Length / PackedPointSize) : Math.Min(n, floats.Length / FloatPointSize);
        var result = new float[n * 3];
        var (sh, ch) = Math.SinCos(vehicleHeading);
        var (sy, cy) = Math.SinCos(pose.Yaw);
        for (var i = 0; i < n; i++)
        {
            double px;
            double py;
            double pz;
            if (packed.Length > 0)
            {
                var p = packed.Slice(i * PackedPointSize, PackedPointSize);
                px = BinaryPrimitives.ReadInt16LittleEndian(p) * MetresPerCentimetre;
                py = BinaryPrimitives.ReadInt16LittleEndian(p[2..]) * MetresPerCentimetre;
                pz = BinaryPrimitives.ReadInt16LittleEndian(p[4..]) * MetresPerCentimetre;
            }
            else
            {
                var p = floats.Slice(i * FloatPointSize, FloatPointSize);
                px = BinaryPrimitives.ReadSingleLittleEndian(p);
                py = BinaryPrimitives.ReadSingleLittleEndian(p[4..]);
                pz = BinaryPrimitives.ReadSingleLittleEndian(p[8..]);
            }

            // Sensor frame → vehicle frame → map frame.
            var vx = pose.X + (cy * px) - (sy * py);
            var vy = pose.Y + (sy * px) + (cy * py);
            var vz = pose.Z + pz;
            result[(i * 3) + 0] = (float)(vehicleX + (ch * vx) - (sh * vy));
            result[(i * 3) + 1] = (float)(vehicleY + (sh * vx) + (ch * vy));
            result[(i * 3) + 2] = (float)(vehicleZ + vz);
        }

        count = n;
        return result;
    }
}
