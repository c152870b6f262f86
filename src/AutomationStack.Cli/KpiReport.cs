using System.Globalization;
using System.Text;
using System.Text.Json;
using AutomationStack.Bridge;
using AutomationStack.Scenarios;

namespace AutomationStack.Cli;

/// <summary>Writes <c>kpi.json</c> (atomically) and the console summary of a run.</summary>
internal static class KpiReport
{
    private const int Digits = 4;

    public static void Write(
        string path,
        Scenario scenario,
        RunResult result,
        IReadOnlyList<VehicleRunner> runners,
        double? bridgePeakMegabytes,
        string recordingPath,
        int exitCode,
        double wallSeconds,
        string driveLane)
    {
        var tmp = path + ".partial";
        using (var stream = File.Create(tmp))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            var kpi = result.Kpi;
            json.WriteStartObject();
            json.WriteString("scenario", scenario.Name);
            json.WriteNumber("seed", scenario.Seed);
            json.WriteBoolean("passed", kpi.Passed);
            json.WriteNumber("exit_code", exitCode);
            json.WriteBoolean("interrupted", result.Cancelled);
            json.WriteStartArray("failed_criteria");
            foreach (var f in kpi.FailedCriteria)
            {
                json.WriteStringValue(f);
            }

            json.WriteEndArray();
            json.WriteNumber("collisions", kpi.Collisions);
            json.WriteNumber("simulated_time", Round(kpi.SimulatedTime));
            json.WriteNumber("frames", kpi.Frames);
            json.WriteNumber("wall_time", Round(wallSeconds));
            json.WriteNumber("real_time_factor", Round(result.RealTimeFactor));
            json.WriteString("drive_lane", driveLane);
            json.WriteStartArray("trucks");
            foreach (var truck in kpi.Trucks)
            {
                json.WriteStartObject();
                json.WriteString("id", truck.VehicleId);
                WriteNullable(json, "min_distance", truck.MinDistance);
                WriteNullable(json, "min_time_gap", truck.MinTimeGap);
                json.WriteNumber("speed_rms_error", Round(truck.SpeedRmsError));
                json.WriteNumber("speed_max_error", Round(truck.SpeedMaxError));
                json.WriteNumber("distance_travelled", Round(truck.DistanceTravelled));
                json.WriteNumber("collisions", truck.Collisions);
                json.WriteBoolean("failed", truck.Failed);
                var stats = FindStats(result, truck.VehicleId);
                if (truck.Failed)
                {
                    json.WriteNumber("failure_time", Round(truck.FailureStampNs / 1e9));
                    json.WriteString("failure_reason", truck.FailureReason);
                }

                WritePlatoon(json, truck);
                json.WriteNumber("missed_frames", truck.MissedFrames);
                json.WriteNumber("late_frames", stats?.LateFrames ?? 0);
                json.WriteNumber("stale_commands", stats?.StaleCommands ?? 0);
                var runner = FindRunner(runners, truck.VehicleId);
                json.WriteStartObject("process");
                if (runner?.ProcessId is { } pid)
                {
                    json.WriteNumber("pid", pid);
                }
                else
                {
                    json.WriteString("hosting", "in-process");
                }

                if (runner?.ExitCode is { } code)
                {
                    json.WriteNumber("exit_code", code);
                }
                else
                {
                    json.WriteNull("exit_code");
                }

                WriteNullable(json, "peak_rss_mb", runner?.PeakResidentMegabytes);
                WriteNullable(json, "cpu_seconds", runner?.CpuSeconds);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (kpi.V2XAttacks.Count > 0)
            {
                json.WriteStartObject("v2x_attacks_sent");
                foreach (var (kind, count) in kpi.V2XAttacks.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    json.WriteNumber(kind, count);
                }

                json.WriteEndObject();
            }

            if (kpi.V2XChannel is { } channel)
            {
                json.WriteStartObject("v2x_channel");
                json.WriteNumber("sent", channel.Sent);
                json.WriteNumber("delivered", channel.Delivered);
                json.WriteNumber("out_of_range", channel.OutOfRange);
                json.WriteNumber("lost_random", channel.LostRandom);
                json.WriteNumber("lost_burst", channel.LostBurst);
                json.WriteNumber("airtime", Round(channel.Airtime));
                json.WriteEndObject();
            }

            if (kpi.RoadsideUnits.Count > 0)
            {
                json.WriteStartArray("roadside_units");
                foreach (var unit in kpi.RoadsideUnits)
                {
                    json.WriteStartObject();
                    json.WriteNumber("intersection", unit.IntersectionId);
                    json.WriteNumber("station_id", unit.StationId);
                    json.WriteNumber("spat_sent", unit.SpatSent);
                    json.WriteNumber("map_sent", unit.MapSent);
                    json.WriteNumber("requests_answered", unit.RequestsAnswered);
                    json.WriteNumber("priority_granted", unit.PriorityGranted);
                    json.WriteNumber("priority_rejected", unit.PriorityRejected);
                    json.WriteNumber("dropped", unit.Dropped);
                    json.WriteNumber("ignored", unit.Ignored);
                    json.WriteNumber("gap_outs", unit.GapOuts);
                    json.WriteNumber("max_outs", unit.MaxOuts);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            if (kpi.Signals.Count > 0)
            {
                json.WriteStartArray("signals");
                foreach (var k in kpi.Signals)
                {
                    json.WriteStartObject();
                    json.WriteString("vehicle", k.VehicleId);
                    json.WriteNumber("red_light_violations", k.RedLightViolations);
                    json.WriteNumber("amber_crossings", k.AmberCrossings);
                    json.WriteNumber("crossings", k.Crossings);
                    json.WriteNumber("stops", k.Stops);
                    json.WriteNumber("traction_energy", Round(k.TractionEnergy));
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteStartArray("platoon_crossings");
                foreach (var c in kpi.PlatoonCrossings)
                {
                    json.WriteStartObject();
                    json.WriteNumber("intersection", c.IntersectionId);
                    json.WriteString("lane", c.LaneId);
                    json.WriteBoolean("intact", c.Intact);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteStartObject("bridge");
            WriteNullable(json, "peak_rss_mb", bridgePeakMegabytes);
            WriteNullable(json, "cpu_seconds", System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);
            var t = result.Timings;
            json.WriteNumber("loop_us_per_step", Round(t.LoopPerStep));
            json.WriteNumber("physics_us_per_step", Round(t.PhysicsPerStep));
            json.WriteNumber("recording_us_per_step", Round(t.RecordingPerStep));
            json.WriteNumber("exchange_us_per_vehicle_frame", Round(t.ExchangePerVehicleFrame));
            json.WriteNumber("overhead_us_per_vehicle_step", Round(t.BridgeOverheadPerVehicleStep));
            json.WriteNumber("vehicle_frames", t.VehicleFrames);
            json.WriteNumber("ground_truth_streams", result.GroundTruthSubscriptions);
            if (t.LidarScans > 0)
            {
                json.WriteNumber("lidar_scans", t.LidarScans);
                json.WriteNumber("lidar_us_per_scan", Round(t.LidarPerScan));
            }

            json.WriteEndObject();
            if (result.Sumo is { } sumo)
            {
                json.WriteStartObject("sumo");
                json.WriteString("version", sumo.SumoVersion);
                json.WriteNumber("steps", sumo.SumoSteps);
                json.WriteNumber("vehicles_departed", sumo.Departed);
                json.WriteNumber("vehicles_arrived", sumo.Arrived);
                json.WriteNumber("max_background_vehicles", sumo.MaxMirrored);
                json.WriteNumber("traci_seconds", Round(sumo.TraciSeconds));
                json.WriteEndObject();
            }

            if (result.BackendFailure is { } failure)
            {
                json.WriteString("backend_failure", failure);
            }

            if (result.RecordingFailure is { } recordingFailure)
            {
                json.WriteString("recording_failure", recordingFailure);
            }

            json.WriteStartObject("log");
            json.WriteString("file", Path.GetFileName(recordingPath));
            json.WriteNumber("messages", result.RecordedMessages);
            json.WriteNumber("bytes", new FileInfo(recordingPath).Length);
            json.WriteString("sha256", RunCommand.Sha256OfFile(recordingPath));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        File.Move(tmp, path, overwrite: true);
    }

    public static string Summary(
        Scenario scenario,
        RunResult result,
        IReadOnlyList<VehicleRunner> runners,
        double? bridgePeakMegabytes,
        string outDir,
        int exitCode,
        string exitMessage)
    {
        var kpi = result.Kpi;
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"scenario {scenario.Name}  seed {scenario.Seed}  simulated {kpi.SimulatedTime:F1} s in {result.WallSeconds:F2} s wall  (real-time factor {result.RealTimeFactor:F1}×)");
        sb.AppendLine(inv, $"{"truck",-10} {"min gap m",10} {"min tgap s",10} {"v rms m/s",10} {"v max m/s",10} {"status",-10} {"peak MB",8}");
        foreach (var truck in kpi.Trucks)
        {
            var runner = FindRunner(runners, truck.VehicleId);
            var status = truck.Failed ? "FAILED" : "ok";
            sb.AppendLine(inv, $"{truck.VehicleId,-10} {Fmt(truck.MinDistance),10} {Fmt(truck.MinTimeGap),10} {truck.SpeedRmsError,10:F2} {truck.SpeedMaxError,10:F2} {status,-10} {Fmt(runner?.PeakResidentMegabytes ?? -1),8}");
            if (truck.Failed)
            {
                sb.AppendLine(inv, $"           failed at t={truck.FailureStampNs / 1e9:F2} s: {truck.FailureReason}");
            }
        }

        if (result.Sumo is { } sumo)
        {
            sb.AppendLine(inv, $"SUMO {sumo.SumoVersion}: {sumo.SumoSteps} steps, {sumo.MaxMirrored} background vehicles at most ({sumo.Departed} departed, {sumo.Arrived} arrived), TraCI {sumo.TraciSeconds:F2} s");
        }

        sb.AppendLine(inv, $"collisions {kpi.Collisions}   bridge peak {Fmt(bridgePeakMegabytes ?? -1)} MB   bridge overhead {result.Timings.BridgeOverheadPerVehicleStep:F1} µs/vehicle/step");
        sb.AppendLine(inv, $"log {Path.Combine(outDir, RunCommand.RecordingFileName)} ({result.RecordedMessages} messages)   kpi {Path.Combine(outDir, RunCommand.KpiFileName)}");
        if (kpi.Passed && exitCode == ExitCodes.Passed)
        {
            sb.AppendLine("PASS");
        }
        else
        {
            sb.AppendLine(inv, $"FAIL{(exitMessage.Length > 0 ? " (" + exitMessage + ")" : string.Empty)}");
            foreach (var f in kpi.FailedCriteria)
            {
                sb.AppendLine("  - " + f);
            }
        }

        return sb.ToString();
    }

    private static string Fmt(double value) => value < 0 ? "-" : value.ToString("F2", CultureInfo.InvariantCulture);

    private static double Round(double value) => Math.Round(value, Digits);

    private const double JoulesPerMegajoule = 1e6;
    private const double JoulesPerKilowattHour = 3.6e6;
    private const double MetresPerKilometre = 1000;

    /// <summary>String stability, platoon behaviour, energy and V2X counters of one truck.</summary>
    private static void WritePlatoon(Utf8JsonWriter json, AutomationStack.Bridge.Protocol.TruckKpi truck)
    {
        var p = truck.Platoon;
        if (p is null)
        {
            return;
        }

        json.WriteStartObject("string_stability");
        if (string.IsNullOrEmpty(p.PredecessorId))
        {
            json.WriteNull("predecessor");
        }
        else
        {
            json.WriteString("predecessor", p.PredecessorId);
        }

        WriteFinite(json, "peak_spacing_error", p.PeakSpacingError);
        WriteFinite(json, "peak_acceleration", p.PeakAcceleration);
        WriteFinite(json, "spacing_error_ratio", p.SpacingErrorRatio);
        WriteFinite(json, "acceleration_ratio", p.AccelerationRatio);
        json.WriteEndObject();

        json.WriteStartObject("platoon");
        json.WriteNumber("cacc_share", Round(p.CaccShare));
        json.WriteStartArray("join_durations");
        foreach (var d in p.JoinDurations)
        {
            json.WriteNumberValue(Round(d));
        }

        json.WriteEndArray();
        json.WriteStartArray("fallback_delays");
        foreach (var d in p.FallbackDelays)
        {
            if (double.IsFinite(d))
            {
                json.WriteNumberValue(Round(d));
            }
            else
            {
                json.WriteNullValue();
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();

        json.WriteStartObject("energy");
        json.WriteNumber("traction_mj", Round(p.TractionEnergy / JoulesPerMegajoule));
        json.WriteNumber("drafting_saved_mj", Round(p.DraftingEnergySaved / JoulesPerMegajoule));
        WriteFinite(json, "traction_kwh_per_km", truck.DistanceTravelled > 0 ? p.TractionEnergy / JoulesPerKilowattHour / (truck.DistanceTravelled / MetresPerKilometre) : double.NaN);
        json.WriteEndObject();

        json.WriteStartObject("v2x");
        json.WriteNumber("accepted", p.V2XAccepted);
        json.WriteNumber("dropped", p.V2XDropped);
        json.WriteNumber("encrypted_accepted", p.V2XEncryptedAccepted);
        json.WriteNumber("encrypted_sent", p.V2XEncryptedSent);
        json.WriteNumber("group_keys_installed", p.GroupKeysInstalled);
        json.WriteStartObject("dropped_by_reason");
        foreach (var (reason, count) in p.V2XDrops.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            json.WriteNumber(reason, count);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteFinite(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, Round(value));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && v >= 0 && double.IsFinite(v))
        {
            json.WriteNumber(name, Round(v));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static VehicleRunner? FindRunner(IReadOnlyList<VehicleRunner> runners, string id)
    {
        foreach (var r in runners)
        {
            if (r.VehicleId == id)
            {
                return r;
            }
        }

        return null;
    }

    private static VehicleRunStats? FindStats(RunResult result, string id)
    {
        foreach (var s in result.Vehicles)
        {
            if (s.VehicleId == id)
            {
                return s;
            }
        }

        return null;
    }
}
