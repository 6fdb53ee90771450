package dev.fanout.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Three participants go through a seeded random series of what people do in a call — publish
 * and unpublish a camera, microphone, screen with its sound or a canvas, mute and unmute,
 * switch a track off and on, leave and come back — and after every step every other participant
 * must play each published, unmuted track: the colour of its picture, the tone of its sound,
 * within {@link #STEP_MILLIS}. Every source of every participant has a colour or tone of its
 * own, so a track played in another's place fails as surely as a silent one.
 *
 * <p>{@code -Dfanout.test.seed=N} replays a series; the seed of a failed run is in the message.
 */
class RandomSequenceBrowserTest extends BrowserTestBase {
  private static final int STEPS = 24;
  private static final int STEP_MILLIS = Integer.getInteger("fanout.test.stepMillis", 3000);
  private static final String[] NAMES = {"ann", "ben", "cat"};
  private static final int[][] CAMERA = {{220, 30, 30}, {30, 220, 30}, {30, 30, 220}};
  private static final int[][] CUSTOM = {{220, 220, 30}, {220, 30, 220}, {30, 220, 220}};
  private static final int[][] SCREEN = {{220, 130, 220}, {130, 130, 30}, {130, 130, 130}};
  private static final int[] MIC = {400, 600, 800};
  private static final int[] SCREEN_AUDIO = {1000, 1200, 1400};

  /** What one participant publishes now. */
  private static final class State {
    boolean joined = true;
    boolean camera;
    boolean cameraMuted;
    boolean mic;
    boolean micEnabled = true;
    boolean screen;
    boolean custom;
  }

  private static String rgb(int[] c) {
    return "rgb(" + c[0] + ", " + c[1] + ", " + c[2] + ")";
  }

  @Test
  void everySubscribedTrackPlaysItsOwnColourOrToneAfterEachStep() {
    long seed = Long.getLong("fanout.test.seed", System.nanoTime());
    System.out.println("random sequence, seed " + seed);
    Random random = new Random(seed);
    String room = newRoom();
    List<BrowserPage> pages = new ArrayList<>();
    State[] states = new State[NAMES.length];
    for (int i = 0; i < NAMES.length; i++) {
      BrowserPage page = page();
      page.run("H.boxBySource = true; H.client('c'); H.autoSubscribe('c'); await H.join('c', arguments[0], arguments[1])",
          room, NAMES[i]);
      pages.add(page);
      states[i] = new State();
    }
    List<String> done = new ArrayList<>();
    for (int step = 0; step < STEPS; step++) {
      int who = random.nextInt(NAMES.length);
      String action = act(pages.get(who), states[who], who, random, room);
      done.add(NAMES[who] + ": " + action);
      for (int other = 0; other < NAMES.length; other++) {
        if (other == who && !action.equals("rejoin") || !states[other].joined) {
          continue;
        }
        List<Map<String, Object>> expected = expectedAt(states, other);
        String failures = pages.get(other).text(
            "return await H.expectPlaying('c', arguments[0], arguments[1])", expected, STEP_MILLIS);
        assertThat(failures).as("seed %d, after step %d (%s), at %s; steps: %s", seed, step, action, NAMES[other], done)
            .isEmpty();
      }
    }
  }

  /** Performs one random action of participant {@code i}; returns its name. */
  private static String act(BrowserPage page, State s, int i, Random random, String room) {
    if (!s.joined) {
      page.run("await H.join('c', arguments[0], arguments[1])", room, NAMES[i]);
      s.joined = true;
      return "rejoin";
    }
    List<String> options = new ArrayList<>(List.of("camera", "mic", "screen", "custom"));
    if (s.camera) {
      options.add("mute-camera");
    }
    if (s.mic) {
      options.add("enable-mic");
    }
    options.add("leave");
    String action = options.get(random.nextInt(options.size()));
    switch (action) {
      case "camera" -> {
        if (s.camera) {
          page.run("await H.clients.c.unpublish(H.tracks.cam); H.tracks.cam.close()");
        } else {
          page.run("const t = await Fanout.createCameraVideoTrack(); await t.replaceMediaStreamTrack(H.solidTrack('cam', arguments[0]));"
              + "H.tracks.cam = t; await H.clients.c.publish(t)", rgb(CAMERA[i]));
          s.cameraMuted = false;
        }
        s.camera = !s.camera;
      }
      case "mic" -> {
        if (s.mic) {
          page.run("await H.clients.c.unpublish(H.tracks.mic); H.tracks.mic.close()");
        } else {
          page.run("const t = await Fanout.createMicrophoneAudioTrack(); await t.replaceMediaStreamTrack(H.tone(arguments[0]));"
              + "H.tracks.mic = t; await H.clients.c.publish(t)", MIC[i]);
          s.micEnabled = true;
        }
        s.mic = !s.mic;
      }
      case "screen" -> {
        if (s.screen) {
          page.run("await H.clients.c.unpublish([H.tracks.screen, H.tracks.screenAudio]); H.tracks.screen.close(); H.tracks.screenAudio.close()");
        } else {
          page.run("const [v, a] = await Fanout.createScreenVideoTrack({}, 'enable');"
              + "await v.replaceMediaStreamTrack(H.solidTrack('screen', arguments[0])); await a.replaceMediaStreamTrack(H.tone(arguments[1]));"
              + "H.tracks.screen = v; H.tracks.screenAudio = a; await H.clients.c.publish([v, a])", rgb(SCREEN[i]), SCREEN_AUDIO[i]);
        }
        s.screen = !s.screen;
      }
      case "custom" -> {
        if (s.custom) {
          page.run("await H.clients.c.unpublish(H.tracks.custom); H.tracks.custom.close()");
        } else {
          page.run("H.tracks.custom = Fanout.createCustomVideoTrack({ mediaStreamTrack: H.solidTrack('custom', arguments[0], 320, 240, 33, 0) });"
              + "await H.clients.c.publish(H.tracks.custom)", rgb(CUSTOM[i]));
        }
        s.custom = !s.custom;
      }
      case "mute-camera" -> {
        s.cameraMuted = !s.cameraMuted;
        page.run("await H.tracks.cam.setMuted(arguments[0])", s.cameraMuted);
        return s.cameraMuted ? "mute camera" : "unmute camera";
      }
      case "enable-mic" -> {
        s.micEnabled = !s.micEnabled;
        page.run("await H.tracks.mic.setEnabled(arguments[0])", s.micEnabled);
        // setEnabled(true) resumes capture from the device: give it its tone again.
        if (s.micEnabled) {
          page.run("await H.tracks.mic.replaceMediaStreamTrack(H.tone(arguments[0]))", MIC[i]);
        }
        return s.micEnabled ? "enable microphone" : "disable microphone";
      }
      case "leave" -> {
        page.run("await H.clients.c.leave()");
        s.joined = false;
        s.camera = s.mic = s.screen = s.custom = false;
        s.cameraMuted = false;
        s.micEnabled = true;
      }
      default -> throw new IllegalStateException(action);
    }
    return action;
  }

  /** What participant {@code at} must play: every other joined participant's unmuted tracks. */
  private static List<Map<String, Object>> expectedAt(State[] states, int at) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < states.length; i++) {
      State s = states[i];
      if (i == at || !s.joined) {
        continue;
      }
      if (s.camera && !s.cameraMuted) {
        out.add(colour(NAMES[i], "camera", CAMERA[i]));
      }
      if (s.custom) {
        out.add(colour(NAMES[i], "custom", CUSTOM[i]));
      }
      if (s.screen) {
        out.add(colour(NAMES[i], "screen", SCREEN[i]));
        out.add(tone(NAMES[i], "screen-audio", SCREEN_AUDIO[i]));
      }
      if (s.mic && s.micEnabled) {
        out.add(tone(NAMES[i], "microphone", MIC[i]));
      }
    }
    return out;
  }

  private static Map<String, Object> colour(String uid, String source, int[] c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("uid", uid);
    m.put("source", source);
    m.put("colour", List.of(c[0], c[1], c[2]));
    return m;
  }

  private static Map<String, Object> tone(String uid, String source, int hz) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("uid", uid);
    m.put("source", source);
    m.put("tone", hz);
    return m;
  }
}
