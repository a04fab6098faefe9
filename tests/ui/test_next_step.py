"""A bare number picks the next step the bot offered ("Next: 1. Plan treatment for my patient")."""

from guidebot.ui.app import GuidebotApp
from ui_helpers import SIZE, started, submit, transcript

async def test_a_number_picks_the_offered_next_step():
    # findings typed on their own are recorded and the guided flows offered by number
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "no papilledema, no organomegaly")
        assert "What next?" in transcript(app)[-1][1]
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "peripheral polyneuropathy" in transcript(app)[-1][1]


async def test_a_met_verdict_goes_on_to_the_treatment_questions():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        for text in ["does my patient have POEMS?", "yes", "yes", "52M, lambda M-protein, plasma VEGF 640, two sclerotic lesions", "yes"]:
            await submit(pilot, text)
        assert "Figure 3" in transcript(app)[-1][1]
        await submit(pilot, "no")
        assert "Treatment approach: radiation" in transcript(app)[-1][1]
