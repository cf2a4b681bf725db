package dev.cadet.rawjson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonRawViewTest {
    private static final String JSON = """
            {"requestParameters":{"userName":"mallory","policyArn":null},
             "resources":[{"ARN":"arn:a"},{"ARN":"arn:b"}],"tags":["x","y"],"mixed":[1,{"a":1}],
             "big":123456789012345678901234567890,"n":42,"f":1.5,"ok":true,"UserId":"bob@example.org"}""";

    private static JsonRawView view(boolean ignoreCase) throws Exception {
        return new JsonRawView(new ObjectMapper().readTree(JSON), JSON, ignoreCase);
    }

    @Test
    void pathsReachObjectsArraysAndScalars() throws Exception {
        JsonRawView v = view(false);
        assertEquals("mallory", v.get("requestParameters.userName"));
        assertEquals("arn:b", v.get("resources.1.ARN"));
        assertEquals(List.of("x", "y"), v.get("tags"));
        assertEquals(42L, v.get("n"));
        assertEquals(1.5, v.get("f"));
        assertEquals(true, v.get("ok"));
        assertEquals("123456789012345678901234567890", v.get("big"), "too large for a long: its text");
        assertNull(v.get("requestParameters.policyArn"), "JSON null is absent");
        assertNull(v.get("requestParameters"), "objects are not values");
        assertNull(v.get("mixed"), "not an array of scalars");
        assertNull(v.get("resources.x.ARN"));
        assertNull(v.get("resources.7.ARN"));
        assertNull(v.get(""));
        assertEquals(JSON, v.json());
    }

    @Test
    void keysIgnoreCaseOnlyWhenAsked() throws Exception {
        assertNull(view(false).get("userid"));
        assertEquals("bob@example.org", view(true).get("userid"));
        assertEquals("mallory", view(true).get("REQUESTPARAMETERS.USERNAME"));
    }
}
