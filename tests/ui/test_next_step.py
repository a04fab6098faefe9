"""A bare number picks the next step the bot offered ("Next: 1. Plan treatment for my patient")."""

from guidebot.ui.app import GuidebotApp
from ui_helpers import SIZE, started, submit, transcript

async def test_a_number_picks_the_offered_next_step():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        for text in ["does my patient have POEMS?", "yes", "yes", "52M, lambda M-protein, plasma VEGF 640, two sclerotic lesions", "yes"]:
            await submit(pilot, text)
        assert "Verdict: meets criteria" in transcript(app)[-1][1]
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "Plan treatment" in transcript(app)[-1][1]
