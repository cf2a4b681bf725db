package dev.cadet.collector;

/** Which time a stream's windows are cut on. */
public enum TimeAxis {
    /** When the event happened (CloudTrail EventTime, Graph activityDateTime). */
    EVENT_TIME,
    /** When the record became available (O365 contentCreated, a dropped file's arrival). */
    AVAILABILITY_TIME
}
